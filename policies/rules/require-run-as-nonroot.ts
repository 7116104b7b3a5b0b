/**
 * PSS restricted "Running as Non-root", as openCenter's Kyverno policy `require-run-as-nonroot` (rule
 * `run-as-non-root`, an anyPattern): the pod passes when either
 *   1. the pod's `securityContext.runAsNonRoot` is true and no container sets it to anything but true, or
 *   2. every container, in every list, sets `securityContext.runAsNonRoot` to true.
 * `true` is a typed pattern: only the boolean passes.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has } from "../lib/kyverno";

export default podRule({
    name: "require-run-as-nonroot", category: "pod-security-restricted", severity: "high",
    description: "Containers must run as non-root: securityContext.runAsNonRoot true on the pod (and not otherwise on any container), or true on every container.",
    reads: ["spec.securityContext.runAsNonRoot", ...inContainers("securityContext.runAsNonRoot")],
    check: (pod) => {
        const containers = containersOf(pod);
        const own = (c: (typeof containers)[number]) => securityContextOf(c.container);
        const podLevel = pod.spec.securityContext?.runAsNonRoot === true;
        const overriding = containers.filter((c) => has(own(c), "runAsNonRoot") && own(c).runAsNonRoot !== true);
        const unset = containers.filter((c) => own(c)?.runAsNonRoot !== true);
        if ((podLevel && overriding.length === 0) || unset.length === 0) return [];
        if (podLevel) {
            return overriding.map((c) => violation(`${c.path}.securityContext.runAsNonRoot`, "must be true or unset when the pod sets runAsNonRoot", "run-as-non-root"));
        }
        return unset.map((c) => violation(`${c.path}.securityContext.runAsNonRoot`, `must be true here or at ${pod.path}.securityContext.runAsNonRoot`, "run-as-non-root"));
    },
});
