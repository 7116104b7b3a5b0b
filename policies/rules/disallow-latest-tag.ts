/**
 * Kyverno best practice `disallow-latest-tag`: rule `require-image-tag` (every image, in every container
 * list, matches `*:*`, i.e. has a colon anywhere: a tag, a digest or a registry port) and rule
 * `validate-image-tag` (no image matches `*:latest`).
 */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";
import { matchesOneOf } from "../lib/kyverno";

export default podRule({
    name: "disallow-latest-tag", category: "best-practices", severity: "medium",
    description: "Images must name a tag (or a digest) other than latest, so what runs is what was reviewed.",
    reads: ["spec.containers[*].image", "spec.initContainers[*].image", "spec.ephemeralContainers[*].image"],
    check: (pod) => containersOf(pod).flatMap((c) => {
        const image = c.container.image;
        return [
            ...(matchesOneOf(image, ["*:*"]) ? [] : [violation(`${c.path}.image`, `image ${image} has no tag`, "require-image-tag")]),
            ...(matchesOneOf(image, ["*"]) && !matchesOneOf(image, ["*:latest"]) ? [] : [violation(`${c.path}.image`, `image ${image} uses the latest tag`, "validate-image-tag")]),
        ];
    }),
});
