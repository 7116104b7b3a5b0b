/** Kyverno best practice: read-only root file systems. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "require-ro-rootfs", category: "best-practices", severity: "medium",
    description: "Containers must set securityContext.readOnlyRootFilesystem to true.",
    check: (pod) => containersOf(pod).filter((c) => c.container.securityContext?.readOnlyRootFilesystem !== true)
        .map((c) => violation(`${c.path}.securityContext.readOnlyRootFilesystem`, "must be true")),
});
