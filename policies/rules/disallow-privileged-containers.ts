/**
 * PSS baseline "Privileged Containers", as openCenter's Kyverno policy `disallow-privileged-containers`
 * (rule `privileged-containers`): `securityContext.privileged`, where present, is false.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has, matchesOneOf } from "../lib/kyverno";

export default podRule({
    name: "disallow-privileged-containers", category: "pod-security-baseline", severity: "medium",
    description: "Privileged containers have every device and capability of the host; securityContext.privileged must be unset or false.",
    reads: inContainers("securityContext.privileged"),
    check: (pod) => containersOf(pod).flatMap((c) => {
        const context = securityContextOf(c.container);
        return has(context, "privileged") && !matchesOneOf(context.privileged, ["false"])
            ? [violation(`${c.path}.securityContext.privileged`, "privileged must be unset or false", "privileged-containers")] : [];
    }),
});
