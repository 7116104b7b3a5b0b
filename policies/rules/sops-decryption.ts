/** Platform guardrail: Kustomizations that read the cluster's own repository decrypt with SOPS. */
import { violation } from "../lib/define";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "sops-decryption", category: "platform", severity: "high",
    kinds: ["Kustomization"],
    description: "The cluster's GitOps repository holds SOPS-encrypted files; Kustomizations reading it (config gitopsSources) must decrypt with sops.",
    configProperties: { gitopsSources: { type: "array", items: { type: "string" }, default: ["flux-system"] } },
    check: (object, config) => {
        if (object.apiVersion && !object.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")) return [];
        const sources = (config.gitopsSources as string[] | undefined) ?? ["flux-system"];
        if (!sources.includes(object.spec?.sourceRef?.name)) return [];
        return object.spec?.decryption?.provider === "sops" && object.spec?.decryption?.secretRef?.name
            ? [] : [violation("spec.decryption", "must be {provider: sops, secretRef: {name: sops-age}}")];
    },
};
export default rule;
