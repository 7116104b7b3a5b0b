/** PSS baseline "Privileged Containers": securityContext.privileged must be unset or false. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "disallow-privileged-containers", category: "pod-security-baseline", severity: "high",
    description: "Privileged containers have every device and capability of the host; securityContext.privileged must be unset or false.",
    check: (pod) => containersOf(pod).filter((c) => c.container.securityContext?.privileged === true)
        .map((c) => violation(`${c.path}.securityContext.privileged`, "privileged must be unset or false")),
});
