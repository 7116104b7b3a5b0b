/** Platform guardrail: no secret material in a plain ConfigMap or on a command line. */
import { violation } from "../lib/define";
import type { ResourceRule } from "../lib/types";

const SECRET_TEXT = /(-----BEGIN [A-Z ]*PRIVATE KEY-----|AGE-SECRET-KEY-1|aws_secret_access_key\s*=|(password|passwd|token|secret)\s*[=:]\s*\S{6,})/i;
const SECRET_KEY = /(password|passwd|token|secret|private[-_]?key|credentials?)$/i;

const rule: ResourceRule = {
    target: "resource", name: "no-secrets-in-configmaps-or-commands", category: "platform", severity: "critical",
    description: "Secrets belong in Secrets (SOPS-encrypted in Git) and reach commands through stdin or the environment, never a ConfigMap or a command line.",
    appliesTo: (type) => type === "kubernetes:core/v1:ConfigMap" || type === "command:local:Command" || type === "command:remote:Command",
    check: (resource) => {
        if (resource.type === "kubernetes:core/v1:ConfigMap") {
            return Object.entries({ ...(resource.props.data ?? {}) } as Record<string, string>)
                .filter(([key, value]) => SECRET_KEY.test(key) || SECRET_TEXT.test(String(value)))
                .map(([key]) => violation(`data.${key}`, "looks like a secret; use a Secret"));
        }
        return (["create", "update", "delete"] as const).filter((field) => SECRET_TEXT.test(String(resource.props[field] ?? "")))
            .map((field) => violation(field, "the command line holds secret material; pass it through stdin"));
    },
};
export default rule;
