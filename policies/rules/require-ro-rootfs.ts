/**
 * Kyverno best practice `require-ro-rootfs` (rule `validate-readOnlyRootFilesystem`): every entry of
 * `containers` (not init or ephemeral containers) sets securityContext.readOnlyRootFilesystem to the boolean true.
 */
import { podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";

export default podRule({
    name: "require-ro-rootfs", category: "best-practices", severity: "medium",
    description: "Containers must set securityContext.readOnlyRootFilesystem to true.",
    reads: ["spec.containers[*].securityContext.readOnlyRootFilesystem"],
    check: (pod) => containersOf(pod, ["containers"]).filter((c) => securityContextOf(c.container)?.readOnlyRootFilesystem !== true)
        .map((c) => violation(`${c.path}.securityContext.readOnlyRootFilesystem`, "must be true", "validate-readOnlyRootFilesystem")),
});
