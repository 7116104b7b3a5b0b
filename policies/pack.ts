/**
 * CrossGuard adapters: each rule becomes a ResourceValidationPolicy or StackValidationPolicy with its
 * config schema (enforcement, exemptions, the rule's own settings). Only index.ts builds the pack.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_EXEMPT_NAMESPACES, defaultEnforcement, evaluateResource, type PackConfig } from "./lib/engine";
import type { PlainResource, Rule } from "./lib/types";
import { RULES } from "./rules";

function configSchema(rule: Rule): PolicyConfigSchema {
    return {
        properties: {
            exemptNamespaces: { type: "array", items: { type: "string" }, default: [...DEFAULT_EXEMPT_NAMESPACES] },
            exemptWorkloads: { type: "array", items: { type: "string" }, default: [] },
            ...(rule.configProperties ?? {}),
        },
    };
}

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const common = {
        name: rule.name,
        description: rule.description,
        enforcementLevel: defaultEnforcement(rule),
        severity: rule.severity,
        configSchema: configSchema(rule),
    };
    if (rule.target === "stack") {
        return {
            ...common,
            validateStack: (args, report) => {
                const resources: PlainResource[] = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
                for (const finding of rule.check(resources, args.getConfig())) {
                    report(`${finding.field}: ${finding.message}`);
                }
            },
        };
    }
    return {
        ...common,
        validateResource: (args, report) => {
            // The engine decides applicability; enforcement levels are the policy server's business here.
            const config: PackConfig = { [rule.name]: { ...args.getConfig<Record<string, unknown>>(), enforcementLevel: "advisory" } };
            for (const finding of evaluateResource(rule, { type: args.type, name: args.name, props: args.props }, config)) {
                report(`${finding.field}: ${finding.message}`);
            }
        },
    };
}

export function buildPolicies(): (ResourceValidationPolicy | StackValidationPolicy)[] {
    return RULES.map(toPolicy);
}
