/**
 * Platform services from the catalog (spec/catalog.ts): for each enabled gitops-base service its source,
 * one Kustomization per stage, its `<svc>-override` Kustomization and the values-override Secrets its real
 * HelmReleases read; for each chart-backed cloud service its HelmRepository, HelmRelease and values Secret;
 * the etcd-backup CronJob. Secret values stay Pulumi secrets. Disabling a service removes exactly its objects.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { ClusterSpec } from "../../spec";
import { etcdBackupValues } from "../../spec/rules/gitops";
import { EtcdBackup } from "../backup/etcd";
import { apply } from "../flux";
import { harvesterCloudConfig } from "./cloud";
import { chartObjects, isChart, isGitopsBase, needsValuesSecret, overrideKustomization, serviceObjects, sharedObjects, valuesOverride } from "./objects";

export interface PlatformServicesArgs {
    readonly spec: ClusterSpec;
    readonly provider: k8s.Provider;
    /** Secret values per service (each already a Pulumi secret). */
    readonly secretValues: Readonly<Record<string, Readonly<Record<string, pulumi.Output<string>>>>>;
    /** The Harvester cluster's kubeconfig (secret): the cloud provider and CSI driver get a scoped one made from it. */
    readonly harvesterKubeconfig?: pulumi.Output<string>;
    /** Object-store credentials for the etcd-backup CronJob (secrets). */
    readonly backupCredentials?: { readonly accessKeyId: pulumi.Output<string>; readonly secretAccessKey: pulumi.Output<string> };
    /** The Secret Flux decrypts the cluster's repository with (for the `<svc>-override` Kustomizations). */
    readonly decryptWith: string;
    /** Flux must be Ready first. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** Namespaces that exist in every cluster: never made (nor deleted) by the program. */
const SYSTEM_NAMESPACES = new Set(["kube-system"]);

export class PlatformServices extends pulumi.ComponentResource {
    /** The Kustomization each gitops-base service is Ready with (its last stage), by service name. */
    readonly bases = new Map<string, k8s.apiextensions.CustomResource>();

    constructor(name: string, args: PlatformServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:services:PlatformServices", name, {}, opts);
        const { spec, provider } = args;
        const k8sOpts = { parent: this, provider };
        const namespaces = new Map<string, k8s.core.v1.Namespace>();
        for (const namespace of [...new Set(spec.enabledServices.filter((s) => s.origin !== "program").map((s) => s.namespace))].filter((n) => !SYSTEM_NAMESPACES.has(n)).sort()) {
            namespaces.set(namespace, new k8s.core.v1.Namespace(namespace, { metadata: { name: namespace } }, { ...k8sOpts, dependsOn: args.dependsOn }));
        }
        const namespaceOf = (namespace: string) => (namespaces.has(namespace) ? [namespaces.get(namespace)!] : args.dependsOn);
        const shared = sharedObjects(spec).map((object) => apply(object, { ...k8sOpts, dependsOn: args.dependsOn }));
        const harvesterConfig = spec.enabledServices.some((s) => s.name.startsWith("harvester-")) && args.harvesterKubeconfig
            ? harvesterCloudConfig(spec, args.harvesterKubeconfig, { parent: this, provider, dependsOn: args.dependsOn })
            : undefined;

        for (const service of spec.enabledServices) {
            const secrets = args.secretValues[service.name] ?? {};
            const values = service.helmValues.filter((target) => needsValuesSecret(service, target)).map((target) => new k8s.core.v1.Secret(`${target.namespace}/${target.secret}`, {
                metadata: {
                    name: target.secret, namespace: target.namespace,
                    // helm-controller re-reconciles the HelmRelease when a labelled valuesFrom Secret changes.
                    labels: { "reconcile.fluxcd.io/watch": "Enabled" },
                },
                type: "Opaque",
                stringData: {
                    "override.yaml": pulumi.secret(pulumi.all(secrets).apply((plain) => stringify(valuesOverride(spec, service, target, plain), { sortMapEntries: true }))),
                },
            }, { ...k8sOpts, dependsOn: namespaceOf(target.namespace) }));
            if (isGitopsBase(service)) {
                // Velero's last stage is awaited so the backup objects find its CRDs.
                const waitForReady = service.name === "velero" && spec.backup.enabled;
                const [source, ...stages] = serviceObjects(spec, service, waitForReady);
                const sourceResource = apply(source, { ...k8sOpts, dependsOn: args.dependsOn });
                let last: k8s.apiextensions.CustomResource | undefined;
                for (const stage of stages) {
                    last = apply(stage, {
                        ...k8sOpts,
                        dependsOn: [sourceResource, ...namespaceOf(service.namespace), ...values, ...(service.shared.length ? shared : [])],
                        customTimeouts: waitForReady && stage === stages[stages.length - 1] ? { create: "30m", update: "30m" } : undefined,
                    });
                }
                this.bases.set(service.name, last!);
                apply(overrideKustomization(spec, service, args.decryptWith), { ...k8sOpts, dependsOn: [sourceResource] });
            } else if (isChart(service)) {
                for (const object of chartObjects(spec, service)) {
                    apply(object, { ...k8sOpts, dependsOn: [...namespaceOf(service.namespace), ...values, ...(harvesterConfig && service.name.startsWith("harvester-") ? [harvesterConfig] : [])] });
                }
            } else if (service.name === "etcd-backup" && args.backupCredentials && spec.backup.storage) {
                new EtcdBackup(`${spec.meta.name}-etcd-backup`, {
                    spec, provider, values: etcdBackupValues(service.values), storage: spec.backup.storage, credentials: args.backupCredentials, dependsOn: args.dependsOn,
                }, { parent: this });
            }
        }
        this.registerOutputs({ services: spec.enabledServices.map((s) => s.name) });
    }
}
