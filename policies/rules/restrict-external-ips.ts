/** Kyverno best practice: Services do not set externalIPs (CVE-2020-8554). */
import { violation } from "../lib/define";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "restrict-external-ips", category: "best-practices", severity: "high",
    kinds: ["Service"],
    description: "Service externalIPs can intercept traffic to any address (CVE-2020-8554); they must be unset.",
    check: (object) => Array.isArray(object.spec?.externalIPs) && object.spec.externalIPs.length > 0 ? [violation("spec.externalIPs", "externalIPs must be unset")] : [],
};
export default rule;
