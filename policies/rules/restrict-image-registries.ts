/**
 * Kyverno best practice `restrict-image-registries` (rule `validate-registries`): every image, in every
 * container list, comes from an allowed registry. Kyverno's policy ships example registries to be
 * replaced; here they are config (allowedRegistries, prefixes such as 'registry.example.com/', each the
 * Kyverno pattern '<prefix>*').
 */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";
import { matchesOneOf } from "../lib/kyverno";

const DEFAULT_REGISTRIES = ["registry.k8s.io/", "ghcr.io/", "quay.io/", "docker.io/"];

export default podRule({
    name: "restrict-image-registries", category: "best-practices", severity: "medium",
    description: "Images must come from an allowed registry (config allowedRegistries, prefixes such as 'registry.example.com/').",
    reads: ["spec.containers[*].image", "spec.initContainers[*].image", "spec.ephemeralContainers[*].image"],
    configProperties: { allowedRegistries: { type: "array", items: { type: "string" }, default: DEFAULT_REGISTRIES } },
    check: (pod, config) => {
        const allowed = (config.allowedRegistries as string[] | undefined) ?? DEFAULT_REGISTRIES;
        return containersOf(pod).filter((c) => !matchesOneOf(c.container.image, allowed.map((prefix) => `${prefix}*`)))
            .map((c) => violation(`${c.path}.image`, `image ${c.container.image} is not from an allowed registry; allowed: ${allowed.join(", ")}`, "validate-registries"));
    },
});
