// The CrossGuard pack: `pulumi preview --policy-pack policies [--policy-pack-config policies/config/production.json]`.
import { PolicyPack } from "@pulumi/policy";
import { buildPolicies } from "./pack";

new PolicyPack("clusters-policies", {
    description: "Pod Security Standards as openCenter's Kyverno ruleset, Kyverno's workload best practices, and the cluster program's guardrails.",
    policies: buildPolicies(),
});
