/** Kyverno best practice `restrict-nodeport` (kyverno/policies best-practices/restrict-node-port, rule `validate-nodeport`): a Service's type, where set, is not NodePort. */
import { violation } from "../lib/define";
import { has, matchesOneOf } from "../lib/kyverno";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "restrict-nodeport", category: "best-practices", severity: "medium",
    kinds: ["Service"],
    reads: ["spec.type"],
    description: "NodePort Services open a port on every node; use a LoadBalancer or an Ingress/Gateway instead.",
    check: (object) => has(object.spec, "type") && matchesOneOf(object.spec.type, ["NodePort"]) ? [violation("spec.type", "NodePort is not allowed", "validate-nodeport")] : [],
};
export default rule;
