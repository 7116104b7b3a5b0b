/**
 * PSS baseline "HostProcess", as openCenter's Kyverno policy `disallow-host-process` (rule
 * `host-process-containers`): each container's `securityContext.windowsOptions.hostProcess`, where
 * present, is false. Kyverno's pattern reads the containers only, not the pod-level securityContext
 * (its message names that field; its pattern does not), and neither do we.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has, matchesOneOf } from "../lib/kyverno";

export default podRule({
    name: "disallow-host-process", category: "pod-security-baseline", severity: "medium",
    description: "Windows HostProcess containers run on the host; each container's securityContext.windowsOptions.hostProcess must be unset or false.",
    reads: inContainers("securityContext.windowsOptions.hostProcess"),
    check: (pod) => containersOf(pod).flatMap((c) => {
        const options = securityContextOf(c.container)?.windowsOptions;
        return has(options, "hostProcess") && !matchesOneOf(options.hostProcess, ["false"])
            ? [violation(`${c.path}.securityContext.windowsOptions.hostProcess`, "hostProcess must be unset or false", "host-process-containers")] : [];
    }),
});
