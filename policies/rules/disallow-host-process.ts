/** PSS baseline "HostProcess": Windows HostProcess containers are not allowed. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "disallow-host-process", category: "pod-security-baseline", severity: "high",
    description: "Windows HostProcess containers run on the host; securityContext.windowsOptions.hostProcess must be unset or false.",
    check: (pod) => [
        ...(pod.spec.securityContext?.windowsOptions?.hostProcess === true ? [violation(`${pod.path}.securityContext.windowsOptions.hostProcess`, "hostProcess must be unset or false")] : []),
        ...containersOf(pod).filter((c) => c.container.securityContext?.windowsOptions?.hostProcess === true)
            .map((c) => violation(`${c.path}.securityContext.windowsOptions.hostProcess`, "hostProcess must be unset or false")),
    ],
});
