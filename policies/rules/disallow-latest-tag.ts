/** Kyverno best practice: images carry a tag (or a digest), and the tag is not `latest`. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

/** Tag of an image reference, undefined when it has none; digests count as pinned. */
export function imageTag(image: string): string | undefined {
    if (image.includes("@")) return "@digest";
    const last = image.split("/").pop() ?? "";
    return last.includes(":") ? last.split(":").pop() : undefined;
}

export default podRule({
    name: "disallow-latest-tag", category: "best-practices", severity: "medium",
    description: "Images must name a tag other than latest (or a digest), so what runs is what was reviewed.",
    check: (pod) => containersOf(pod).flatMap((c) => {
        const tag = imageTag(String(c.container.image ?? ""));
        if (tag === undefined) return [violation(`${c.path}.image`, `image ${c.container.image} has no tag`)];
        if (tag === "latest") return [violation(`${c.path}.image`, `image ${c.container.image} uses the latest tag`)];
        return [];
    }),
});
