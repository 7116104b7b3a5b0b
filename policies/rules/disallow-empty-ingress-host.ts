/**
 * Kyverno best practice `disallow-empty-ingress-host` (rule of the same name): it counts the rules that
 * have a `host` and the rules that have an `http` block, and fails the Ingress when the counts differ.
 * The findings name the rules that make them differ: an http rule without a host, or a host without http.
 */
import { violation } from "../lib/define";
import type { ObjectRule } from "../lib/types";

const present = (rule: unknown, field: string) => typeof rule === "object" && rule !== null && (rule as any)[field] !== undefined && (rule as any)[field] !== null;

const rule: ObjectRule = {
    target: "object", name: "disallow-empty-ingress-host", category: "best-practices", severity: "medium",
    kinds: ["Ingress"],
    reads: ["spec.rules[*].host", "spec.rules[*].http"],
    description: "An Ingress rule without a host catches every host name; each rule with http paths must set host.",
    check: (object) => {
        const rules: unknown[] = Array.isArray(object.spec?.rules) ? object.spec.rules : [];
        if (rules.filter((r) => present(r, "host")).length === rules.filter((r) => present(r, "http")).length) return [];
        return rules.flatMap((r, i) => present(r, "http") && !present(r, "host") ? [violation(`spec.rules[${i}].host`, "host is required", "disallow-empty-ingress-host")]
            : present(r, "host") && !present(r, "http") ? [violation(`spec.rules[${i}].http`, "a rule with a host must route paths (http)", "disallow-empty-ingress-host")] : []);
    },
};
export default rule;
