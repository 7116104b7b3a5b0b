/** Kyverno best practice: every Ingress rule names a host. */
import { violation } from "../lib/define";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "disallow-empty-ingress-host", category: "best-practices", severity: "medium",
    kinds: ["Ingress"],
    description: "An Ingress rule without a host catches every host name; each rule must set host.",
    check: (object) => ((object.spec?.rules ?? []) as any[]).map((r, i) => ({ r, i })).filter(({ r }) => !r?.host)
        .map(({ i }) => violation(`spec.rules[${i}].host`, "host is required")),
};
export default rule;
