/** Platform guardrail: in production, sources are pinned to a tag, semver range or commit, not a branch. */
import { violation } from "../lib/define";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "gitrepository-ref-pinned", category: "platform", severity: "high",
    kinds: ["GitRepository"],
    description: "In production a GitRepository must follow a tag, semver range or commit; the cluster's own repository (config exemptSources) may follow its branch.",
    configProperties: {
        environment: { type: "string", enum: ["dev", "staging", "production"], default: "production" },
        exemptSources: { type: "array", items: { type: "string" }, default: ["flux-system"] },
    },
    check: (object, config) => {
        const environment = object.metadata?.labels?.["clusters.pulumi.io/environment"] ?? (config.environment as string | undefined) ?? "production";
        const exempt = (config.exemptSources as string[] | undefined) ?? ["flux-system"];
        if (environment !== "production" || exempt.includes(object.metadata?.name ?? "")) return [];
        const ref = object.spec?.ref ?? {};
        return ref.tag || ref.semver || ref.commit ? [] : [violation("spec.ref", `follows ${ref.branch ? `branch ${ref.branch}` : "the default branch"}; pin a tag, semver range or commit`)];
    },
};
export default rule;
