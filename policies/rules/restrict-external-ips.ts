/** Kyverno best practice `restrict-external-ips` (rule `check-ips`): a Service has no `externalIPs` key (CVE-2020-8554). */
import { violation } from "../lib/define";
import { has } from "../lib/kyverno";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "restrict-external-ips", category: "best-practices", severity: "medium",
    kinds: ["Service"],
    reads: ["spec.externalIPs"],
    description: "Service externalIPs can intercept traffic to any address (CVE-2020-8554); they must be unset.",
    check: (object) => has(object.spec, "externalIPs") ? [violation("spec.externalIPs", "externalIPs must be unset", "check-ips")] : [],
};
export default rule;
