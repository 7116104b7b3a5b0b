/**
 * Registers a recorded resource set again, with the same SDK classes, names, parents, inputs,
 * options and dependencies, and no program logic: the floor the program is measured against.
 *
 * - Custom resources are made by the SDK class whose `__pulumiType` is the recorded type
 *   (`@pulumi/openstack`, `@pulumi/kubernetes`, `@pulumi/command`, `@pulumi/tls`, the vSphere binding);
 *   Kubernetes kinds without a class go through `apiextensions.CustomResource`, as the program does.
 * - Component resources are `pulumi.ComponentResource`s of the recorded type, with registerOutputs.
 * - An input property that depended on resources becomes an Output of exactly those resources, and
 *   dependencies that came from no property become `dependsOn`: the engine receives the same
 *   `dependencies` and `propertyDependencies`.
 * - Secrets are `pulumi.secret` again; a reference to a resource becomes its URN.
 */
import * as pulumi from "@pulumi/pulumi";
import { OUTPUT_SIG, RESOURCE_SIG, SECRET_SIG, SIG, type Registration, type ResourceSet } from "./resource-set";

type ResourceClass = new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** Kubernetes API groups whose kinds have an SDK class, by the SDK namespace that holds them. */
const KUBERNETES_GROUPS: Record<string, string> = {
    "core": "core", "apps": "apps", "batch": "batch", "policy": "policy", "helm.sh": "helm", "yaml": "yaml",
    "rbac.authorization.k8s.io": "rbac", "networking.k8s.io": "networking", "storage.k8s.io": "storage",
    "apiextensions.k8s.io": "apiextensions", "admissionregistration.k8s.io": "admissionregistration",
    "scheduling.k8s.io": "scheduling", "coordination.k8s.io": "coordination", "autoscaling": "autoscaling",
};

/** The SDK class registering `type`, or undefined for a Kubernetes kind with no class (a CustomResource). */
export function resolveClass(type: string): ResourceClass | undefined {
    const [pkg, module, name] = type.split(":");
    if (pkg === "pulumi" && module === "providers") {
        return moduleExports(name).Provider as ResourceClass;
    }
    if (type === "pulumi:index:Stash") {
        // The SDK's Stash class has no static type token to find it by.
        return pulumi.Stash as unknown as ResourceClass;
    }
    if (pkg === "vsphere") {
        // @pulumi/vsphere is not installable here; the project's binding registers the real tokens.
        return findClass(require("../components/vsphere/binding"), type);
    }
    if (pkg === "kubernetes") {
        const [group, version] = module.split("/");
        const namespace = KUBERNETES_GROUPS[group];
        const found = namespace ? (moduleExports("kubernetes") as any)[namespace]?.[version]?.[name] : undefined;
        return found && found.__pulumiType === type ? found : undefined;
    }
    const root = moduleExports(pkg);
    const namespace = module.split("/")[0];
    const holder = namespace === "index" ? root : (root as any)[namespace];
    const found = (holder?.[name]?.__pulumiType === type ? holder[name] : undefined) ?? findClass(holder ?? {}, type);
    if (!found) {
        throw new Error(`no SDK class registers ${type}`);
    }
    return found;
}

function moduleExports(pkg: string): Record<string, unknown> {
    return require(`@pulumi/${pkg}`);
}

function findClass(exports: Record<string, unknown>, type: string): ResourceClass {
    const found = Object.values(exports).find((value) => typeof value === "function" && (value as { __pulumiType?: string }).__pulumiType === type);
    if (!found) {
        throw new Error(`no SDK class registers ${type}`);
    }
    return found as ResourceClass;
}

/** Resolves every class the set needs (loading the SDK modules) so that the timed part registers only. */
export function resolveClasses(set: ResourceSet): ReadonlyMap<string, ResourceClass | undefined> {
    const classes = new Map<string, ResourceClass | undefined>();
    for (const r of set.resources) {
        if (r.custom && !classes.has(r.type)) {
            classes.set(r.type, resolveClass(r.type));
        }
    }
    return classes;
}

/** Wire form → SDK inputs. */
function rebuild(value: unknown, made: ReadonlyMap<string, pulumi.Resource>): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => rebuild(v, made));
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG] === SECRET_SIG) {
            return pulumi.secret(rebuild(obj.value, made));
        }
        if (obj[SIG] === OUTPUT_SIG) {
            const inner = rebuild(obj.value, made);
            return obj.secret === true ? pulumi.secret(inner) : inner;
        }
        if (obj[SIG] === RESOURCE_SIG) {
            return made.get(String(obj.urn)) ?? obj.urn;
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, rebuild(v, made)]));
    }
    return value;
}

function jsonValue(text: string): unknown {
    try {
        const parsed = JSON.parse(text);
        return typeof parsed === "string" ? text : parsed;
    } catch {
        return text;
    }
}

class Component extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}

/** Registers every resource of the set; call inside a runOffline program. */
export function replayResources(set: ResourceSet, classes: ReadonlyMap<string, ResourceClass | undefined>): void {
    const made: pulumi.Resource[] = [];
    const byUrn = new Map<string, pulumi.Resource>();
    set.resources.forEach((r: Registration, i) => {
        const resource = (index: number) => {
            const found = made[index];
            if (!found) {
                throw new Error(`${r.urn} needs ${set.resources[index].urn}, which is registered after it`);
            }
            return found;
        };
        const inputs = rebuild(r.inputs, byUrn) as Record<string, unknown>;
        if (r.type.startsWith("pulumi:providers:")) {
            // Provider classes send non-string inputs JSON-encoded: give them the values they encode.
            for (const [key, value] of Object.entries(inputs)) {
                inputs[key] = typeof value === "string" ? jsonValue(value) : value;
            }
        }
        const fromProperties = new Set<number>();
        for (const [property, deps] of Object.entries(r.propertyDependencies)) {
            if (deps.length && property in inputs) {
                deps.forEach((d) => fromProperties.add(d));
                const value = inputs[property];
                inputs[property] = pulumi.all(deps.map((d) => resource(d).urn)).apply(() => value);
            }
        }
        const dependsOn = r.dependencies.filter((d) => !fromProperties.has(d)).map(resource);
        const { additionalSecretOutputs, replaceOnChanges, ignoreChanges } = r.options;
        const opts: pulumi.CustomResourceOptions = {
            ...(r.parent !== undefined ? { parent: resource(r.parent) } : {}),
            ...(dependsOn.length ? { dependsOn } : {}),
            ...(r.provider !== undefined ? { provider: resource(r.provider) as pulumi.ProviderResource } : {}),
            ...(r.options.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
            // SDK classes append their own entries to these lists (Kubernetes Secrets add data and
            // stringData, commands add triggers); a transformation sees the merged options and sets
            // exactly the recorded lists. Children inherit transformations, so it touches only this resource.
            transformations: [(args) => (args.type === r.type && args.name === r.name
                ? { props: args.props, opts: { ...args.opts, additionalSecretOutputs, replaceOnChanges, ignoreChanges } }
                : undefined)],
            ...(r.options.protect ? { protect: true } : {}),
            ...(r.options.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(r.options.customTimeouts ? { customTimeouts: r.options.customTimeouts } : {}),
        };
        let created: pulumi.Resource;
        if (!r.custom) {
            created = new Component(r.type, r.name, opts);
        } else {
            const cls = classes.get(r.type);
            created = cls
                ? new cls(r.name, inputs, opts)
                : new (require("@pulumi/kubernetes").apiextensions.CustomResource)(r.name, inputs, opts);
        }
        made[i] = created;
        byUrn.set(r.urn, created);
    });
}
