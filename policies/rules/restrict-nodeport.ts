/** Kyverno best practice: no NodePort Services. */
import { violation } from "../lib/define";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "restrict-nodeport", category: "best-practices", severity: "medium",
    kinds: ["Service"],
    description: "NodePort Services open a port on every node; use a LoadBalancer or an Ingress/Gateway instead.",
    check: (object) => object.spec?.type === "NodePort" ? [violation("spec.type", "NodePort is not allowed")] : [],
};
export default rule;
