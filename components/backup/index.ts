/**
 * Backups with Velero: the storage location and its credentials, one Schedule per entry of
 * `backup.schedules`, and a Restore when `backup.restore` asks for one. etcd snapshots are the
 * etcd-backup CronJob's (./etcd.ts) and Kubespray's before upgrades (backup.etcdSnapshotBeforeUpgrade).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../spec";
import { apply } from "../flux";
import type { FluxObject } from "../flux/objects";

export const VELERO_NAMESPACE = "velero";
export const CREDENTIALS_SECRET = "velero-credentials";

export function backupStorageLocation(spec: ClusterSpec): FluxObject {
    const storage = spec.backup.storage!;
    return {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name: "default", namespace: VELERO_NAMESPACE },
        spec: {
            provider: "aws",
            default: true,
            objectStorage: { bucket: storage.bucket, prefix: spec.meta.name },
            config: { region: storage.region, ...(storage.s3Url ? { s3Url: storage.s3Url, s3ForcePathStyle: "true" } : {}) },
            credential: { name: CREDENTIALS_SECRET, key: "cloud" },
        },
    };
}

export function schedules(spec: ClusterSpec): FluxObject[] {
    return spec.backup.schedules.map((schedule) => ({
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: { name: `${spec.meta.name}-${schedule.name}`, namespace: VELERO_NAMESPACE },
        spec: {
            schedule: schedule.cron,
            useOwnerReferencesInBackup: false,
            template: {
                ttl: schedule.ttl,
                includedNamespaces: [...schedule.includedNamespaces],
                excludedNamespaces: [...schedule.excludedNamespaces],
                storageLocation: "default",
                snapshotVolumes: true,
            },
        },
    }));
}

/**
 * The Velero Restore `backup.restore` asks for, applied once: named by the request, so a new request
 * (a new `name`) is a new object and any other change to the request replaces it (the plan shows it).
 */
export function restoreObject(spec: ClusterSpec): FluxObject | undefined {
    const restore = spec.backup.restore;
    if (!restore) {
        return undefined;
    }
    return {
        apiVersion: "velero.io/v1",
        kind: "Restore",
        metadata: { name: restore.name, namespace: VELERO_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "pulumi-clusters" } },
        spec: {
            backupName: restore.backup,
            includedNamespaces: [...restore.includedNamespaces],
            excludedNamespaces: [...restore.excludedNamespaces],
            restorePVs: restore.restorePVs,
            existingResourcePolicy: restore.existingResourcePolicy,
        },
    };
}

export interface BackupsArgs {
    readonly spec: ClusterSpec;
    readonly provider: k8s.Provider;
    readonly accessKeyId: pulumi.Output<string>;
    readonly secretAccessKey: pulumi.Output<string>;
    /** Velero's base Kustomization, Ready when Velero and its CRDs are installed. */
    readonly velero: pulumi.Resource;
}

export class Backups extends pulumi.ComponentResource {
    constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:backup:Backups", name, {}, opts);
        const { spec, provider } = args;
        const k8sOpts = { parent: this, provider };
        const credentials = new k8s.core.v1.Secret(`${VELERO_NAMESPACE}/${CREDENTIALS_SECRET}`, {
            metadata: { name: CREDENTIALS_SECRET, namespace: VELERO_NAMESPACE },
            type: "Opaque",
            stringData: {
                cloud: pulumi.secret(pulumi.interpolate`[default]\naws_access_key_id=${args.accessKeyId}\naws_secret_access_key=${args.secretAccessKey}\n`),
            },
        }, { ...k8sOpts, dependsOn: [args.velero] });
        const location = apply(backupStorageLocation(spec), { ...k8sOpts, dependsOn: [args.velero, credentials] });
        for (const schedule of schedules(spec)) {
            apply(schedule, { ...k8sOpts, dependsOn: [location] });
        }
        const restore = restoreObject(spec);
        if (restore) {
            // Velero runs a Restore once; a changed request must be a new object, never an edit of a finished one.
            apply(restore, { ...k8sOpts, dependsOn: [location], replaceOnChanges: ["spec"], deleteBeforeReplace: true });
        }
        this.registerOutputs({});
    }
}
