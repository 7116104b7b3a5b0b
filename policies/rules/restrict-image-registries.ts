/** Kyverno best practice: images only from the allowed registries (policy config). */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "restrict-image-registries", category: "best-practices", severity: "medium",
    description: "Images must come from an allowed registry (config allowedRegistries, prefixes such as 'registry.example.com/').",
    configProperties: { allowedRegistries: { type: "array", items: { type: "string" }, default: ["registry.k8s.io/", "ghcr.io/", "quay.io/", "docker.io/"] } },
    check: (pod, config) => {
        const allowed = (config.allowedRegistries as string[] | undefined) ?? ["registry.k8s.io/", "ghcr.io/", "quay.io/", "docker.io/"];
        return containersOf(pod).filter((c) => !allowed.some((prefix) => String(c.container.image ?? "").startsWith(prefix)))
            .map((c) => violation(`${c.path}.image`, `image ${c.container.image} is not from an allowed registry; allowed: ${allowed.join(", ")}`));
    },
});
