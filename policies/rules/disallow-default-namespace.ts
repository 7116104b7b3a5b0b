/**
 * Kyverno best practice `disallow-default-namespace` (kyverno/policies best-practices/disallow-default-namespace):
 * rule `validate-namespace` on Pods and `validate-podcontroller-namespace` on DaemonSets, Deployments, Jobs
 * and StatefulSets (autogen off), each failing an object in `default`. An object that names no namespace
 * lands in `default` (the API server puts it there), so it fails too.
 */
import { violation } from "../lib/define";
import { namespaceOf } from "../lib/engine";
import type { ObjectRule } from "../lib/types";

const CONTROLLERS = ["DaemonSet", "Deployment", "Job", "StatefulSet"];

const rule: ObjectRule = {
    target: "object", name: "disallow-default-namespace", category: "best-practices", severity: "medium",
    kinds: ["Pod", ...CONTROLLERS],
    reads: ["metadata.namespace"],
    description: "Workloads must live in their own namespace: metadata.namespace must be set and not default.",
    check: (object) => namespaceOf(object) !== "default" ? []
        : [violation("metadata.namespace", object.metadata?.namespace ? "must not be default" : "is unset, so the object lands in default; name another namespace",
            object.kind === "Pod" ? "validate-namespace" : "validate-podcontroller-namespace")],
};
export default rule;
