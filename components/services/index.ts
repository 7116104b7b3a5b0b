/**
 * Platform services from the gitops-base catalog (spec/catalog.ts): for each enabled service its
 * source, its base Kustomization and its values-override Secret built from the stack file (secret
 * values stay Pulumi secrets). Disabling a service removes exactly its objects.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { ClusterSpec } from "../../spec";
import { apply } from "../flux";
import { baseName, serviceObjects, valuesOverride, valuesSecretName } from "./objects";

export interface PlatformServicesArgs {
    readonly spec: ClusterSpec;
    readonly provider: k8s.Provider;
    /** Secret values per service (each already a Pulumi secret). */
    readonly secretValues: Readonly<Record<string, Readonly<Record<string, pulumi.Output<string>>>>>;
    /** Flux must be Ready first. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class PlatformServices extends pulumi.ComponentResource {
    /** Base Kustomizations by service name. */
    readonly bases = new Map<string, k8s.apiextensions.CustomResource>();

    constructor(name: string, args: PlatformServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:services:PlatformServices", name, {}, opts);
        const { spec, provider } = args;
        const k8sOpts = { parent: this, provider };
        const namespaces = new Map<string, k8s.core.v1.Namespace>();
        for (const namespace of [...new Set(spec.enabledServices.map((s) => s.namespace))].sort()) {
            namespaces.set(namespace, new k8s.core.v1.Namespace(namespace, { metadata: { name: namespace } }, { ...k8sOpts, dependsOn: args.dependsOn }));
        }
        for (const service of spec.enabledServices) {
            const secrets = args.secretValues[service.name] ?? {};
            const needsValues = Object.keys(service.values).length > 0 || Object.keys(secrets).length > 0;
            const values = needsValues ? [new k8s.core.v1.Secret(`${service.namespace}/${valuesSecretName(service.name)}`, {
                metadata: { name: valuesSecretName(service.name), namespace: service.namespace },
                type: "Opaque",
                stringData: {
                    "override.yaml": pulumi.secret(pulumi.all(secrets).apply((plain) => stringify(valuesOverride(service, plain), { sortMapEntries: true }))),
                },
            }, { ...k8sOpts, dependsOn: [namespaces.get(service.namespace)!] })] : [];
            // Velero's base is awaited so the backup objects find its CRDs.
            const waitForReady = service.name === "velero" && spec.backup.enabled;
            const [source, base] = serviceObjects(spec, service, waitForReady);
            const sourceResource = apply(source, { ...k8sOpts, dependsOn: args.dependsOn });
            this.bases.set(service.name, apply(base, {
                ...k8sOpts,
                dependsOn: [sourceResource, namespaces.get(service.namespace)!, ...values],
                customTimeouts: waitForReady ? { create: "30m", update: "30m" } : undefined,
            }));
        }
        this.registerOutputs({ services: spec.enabledServices.map((s) => baseName(s.name)) });
    }
}
