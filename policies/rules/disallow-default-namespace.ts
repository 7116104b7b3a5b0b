/** Kyverno best practice: nothing runs in the default namespace. */
import { violation } from "../lib/define";
import { POD_CONTROLLERS } from "../lib/pods";
import type { ObjectRule } from "../lib/types";

const rule: ObjectRule = {
    target: "object", name: "disallow-default-namespace", category: "best-practices", severity: "medium",
    kinds: [...POD_CONTROLLERS, "Service", "ConfigMap", "Secret", "Ingress"],
    description: "Workloads must live in their own namespace, not in default.",
    check: (object) => object.metadata?.namespace === "default" ? [violation("metadata.namespace", "must not be default")] : [],
};
export default rule;
