/**
 * Calls the pack's policies the way the policy server does: typed args with isType/asType comparing
 * the class's `__pulumiType`, props wrapped in @pulumi/policy's unknown-checking proxy, getConfig with
 * the schema defaults filled in, notApplicable that ends the call, stackTags.
 */
import { unknownCheckingProxy, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationArgs, type StackValidationPolicy } from "@pulumi/policy";
import { buildPolicies } from "../pack";

class NotApplicable extends Error {}

function defaults(policy: ResourceValidationPolicy | StackValidationPolicy, config: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if ((schema as { default?: unknown }).default !== undefined) out[key] = (schema as { default?: unknown }).default;
    }
    return { ...out, ...config };
}

export function policyNamed(name: string): ResourceValidationPolicy | StackValidationPolicy {
    const policy = buildPolicies().find((p) => p.name === name);
    if (!policy) throw new Error(`no policy ${name}`);
    return policy;
}

export function runResourcePolicy(name: string, type: string, props: Record<string, unknown>, config: Record<string, unknown> = {}, resourceName = "r"): string[] {
    const policy = policyNamed(name) as ResourceValidationPolicy;
    const messages: string[] = [];
    const args: ResourceValidationArgs = {
        type,
        props: unknownCheckingProxy(props),
        urn: `urn:pulumi:test::clusters::${type}::${resourceName}`,
        name: resourceName,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType: (cls: any) => cls.__pulumiType === type,
        asType: ((cls: any) => (cls.__pulumiType === type ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => defaults(policy, config) as T,
        notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
    };
    const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    try {
        for (const validate of validators) {
            validate!(args, (message) => messages.push(message));
        }
    } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
    }
    return messages;
}

export function runStackPolicy(name: string, resources: { type: string; name: string; props: Record<string, unknown> }[], config: Record<string, unknown> = {}): string[] {
    const policy = policyNamed(name) as StackValidationPolicy;
    const messages: string[] = [];
    const args: StackValidationArgs = {
        resources: resources.map((r) => ({
            type: r.type, name: r.name, props: unknownCheckingProxy(r.props), urn: `urn:pulumi:test::clusters::${r.type}::${r.name}`,
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            dependencies: [], propertyDependencies: {},
            isType: (cls: any) => cls.__pulumiType === r.type,
            asType: ((cls: any) => (cls.__pulumiType === r.type ? r.props : undefined)) as any,
        })),
        stackTags: new Map(),
        getConfig: <T extends object>() => defaults(policy, config) as T,
        notApplicable: (reason?: string) => { throw new NotApplicable(reason); },
    };
    try {
        policy.validateStack(args, (message) => messages.push(message));
    } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
    }
    return messages;
}
