/**
 * openCenter's etcd-backup (reference §4.1: a CronJob at `0 1 * * *` to S3 or Swift), made by the program
 * as Kubernetes objects rather than delivered by Flux: it needs this cluster's bucket, endpoint and name
 * and a credential from the stack's secrets, it must exist before any Git repository is synced, and the
 * Kubespray side starts a pre-upgrade snapshot from it by name — so the program owns it and
 * `pulumi preview --refresh` reports drift on it.
 *
 * The contract (stable, documented in the README):
 * - CronJob `kube-system/etcd-backup`;
 * - `kubectl -n kube-system create job --from=cronjob/etcd-backup etcd-backup-<reason>` takes a snapshot now,
 *   e.g. `etcd-backup-pre-upgrade-1-34-1`; `<reason>` starts with a letter (the CronJob's own jobs are
 *   `etcd-backup-<digits>` and are the `scheduled` ones);
 * - the snapshot lands at `s3://<bucket>/etcd-snapshots/<cluster>/<reason>/<cluster>-etcd-<UTC yyyymmddThhmmssZ>-<node>-<reason>.db`;
 *   the newest `keep` snapshots of each reason are kept. Outside Velero's prefix (`<cluster>/`, in the same
 *   bucket): Velero marks its location Unavailable when its prefix holds folders it did not make
 *   ("Backup store contains invalid top-level directories", velero-io/velero#3193).
 *
 * How it reaches etcd (Kubespray v2.31.0, etcd_deployment_type host): etcd listens on
 * https://127.0.0.1:2379 on every etcd node (roles/etcd/templates/etcd.env.j2), the node's etcdctl
 * environment uses `{{ etcd_cert_dir }}/ca.pem`, `admin-<inventory_hostname>.pem` and
 * `admin-<inventory_hostname>-key.pem`, with etcd_cert_dir `/etc/ssl/etcd/ssl`
 * (roles/kubespray_defaults/defaults/main/main.yml). Our etcd members are the control-plane nodes and
 * the inventory hostname is the node name, so the pod runs on a control-plane node with host networking
 * and reads those files through a read-only hostPath.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../spec";
import type { EtcdBackupValues } from "../../spec/rules/gitops";

export const ETCD_BACKUP_NAME = "etcd-backup";
export const ETCD_BACKUP_NAMESPACE = "kube-system";
export const ETCD_BACKUP_SECRET = "etcd-backup-s3";
export const ETCD_CERT_DIR = "/etc/ssl/etcd/ssl";

/**
 * etcdctl from etcd's own image, at the etcd release Kubespray v2.31.0 installs for the Kubernetes minor
 * (roles/kubespray_defaults/vars/main/main.yml `etcd_supported_versions`: the newest 3.5 below 1.34, 3.6
 * from 1.34's successor on; the newest checksummed patch in vars/main/checksums.yml).
 */
export function etcdImage(kubernetesVersion: string): string {
    const minor = Number(kubernetesVersion.split(".")[1]);
    return `quay.io/coreos/etcd:${minor >= 35 ? "v3.6.10" : "v3.5.29"}`;
}

/** The AWS CLI speaks S3 to AWS and to S3-compatible stores (Swift's S3 API, Ceph, MinIO). */
export const S3_CLIENT_IMAGE = "docker.io/amazon/aws-cli:2.17.0";

/**
 * Upload, then keep the newest `KEEP` snapshots of this reason (keys carry UTC stamps, so newest sorts
 * last). Runs in the S3 client image's shell with its coreutils only; every value comes from env.
 */
export const UPLOAD_SCRIPT = [
    "set -eu",
    "stamp=$(date -u +%Y%m%dT%H%M%SZ)",
    "case \"$JOB_NAME\" in",
    "  \"$CRONJOB\"-[0-9]*) reason=scheduled ;;",
    "  \"$CRONJOB\"-*) reason=${JOB_NAME#\"$CRONJOB\"-} ;;",
    "  *) reason=$JOB_NAME ;;",
    "esac",
    "folder=\"etcd-snapshots/$CLUSTER/$reason\"",
    "file=\"$CLUSTER-etcd-$stamp-$NODE_NAME-$reason.db\"",
    "set -- ${S3_URL:+--endpoint-url \"$S3_URL\"}",
    "[ -z \"${S3_URL:-}\" ] || aws configure set default.s3.addressing_style path",
    "aws \"$@\" s3 cp /backup/snapshot.db \"s3://$BUCKET/$folder/$file\"",
    "echo \"uploaded s3://$BUCKET/$folder/$file\"",
    "aws \"$@\" s3api list-objects-v2 --bucket \"$BUCKET\" --prefix \"$folder/\" --query 'Contents[].Key' --output text | tr '\\t' '\\n' | grep '\\.db$' | sort -r | tail -n +$((KEEP + 1)) | while read -r old; do",
    "  aws \"$@\" s3 rm \"s3://$BUCKET/$old\"",
    "done",
].join("\n");

type Storage = NonNullable<ClusterSpec["backup"]["storage"]>;

/** The CronJob as plain data (the component applies it; tests check it). */
export function etcdBackupCronJob(spec: Pick<ClusterSpec, "meta" | "kubernetes">, values: EtcdBackupValues, storage: Storage) {
    const labels = { "app.kubernetes.io/name": ETCD_BACKUP_NAME, "app.kubernetes.io/managed-by": "pulumi-clusters" };
    const secretEnv = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: ETCD_BACKUP_SECRET, key: name } } });
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: ETCD_BACKUP_NAME, namespace: ETCD_BACKUP_NAMESPACE, labels },
        spec: {
            schedule: values.schedule,
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                spec: {
                    backoffLimit: 2,
                    activeDeadlineSeconds: 1800,
                    ttlSecondsAfterFinished: 7 * 86400,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "Never",
                            hostNetwork: true,
                            dnsPolicy: "ClusterFirstWithHostNet",
                            nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
                            tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
                            // The etcd client key is readable by root only on the node.
                            securityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } },
                            initContainers: [{
                                name: "snapshot",
                                image: etcdImage(spec.kubernetes.version),
                                command: ["etcdctl", "snapshot", "save", "/backup/snapshot.db"],
                                env: [
                                    { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                                    { name: "ETCDCTL_API", value: "3" },
                                    { name: "ETCDCTL_ENDPOINTS", value: "https://127.0.0.1:2379" },
                                    { name: "ETCDCTL_CACERT", value: `${ETCD_CERT_DIR}/ca.pem` },
                                    { name: "ETCDCTL_CERT", value: `${ETCD_CERT_DIR}/admin-$(NODE_NAME).pem` },
                                    { name: "ETCDCTL_KEY", value: `${ETCD_CERT_DIR}/admin-$(NODE_NAME)-key.pem` },
                                ],
                                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                volumeMounts: [{ name: "etcd-certs", mountPath: ETCD_CERT_DIR, readOnly: true }, { name: "backup", mountPath: "/backup" }],
                            }],
                            containers: [{
                                name: "upload",
                                image: S3_CLIENT_IMAGE,
                                command: ["/bin/sh", "-c", UPLOAD_SCRIPT],
                                env: [
                                    { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                                    { name: "JOB_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } },
                                    { name: "CRONJOB", value: ETCD_BACKUP_NAME },
                                    { name: "CLUSTER", value: spec.meta.name },
                                    { name: "BUCKET", value: storage.bucket },
                                    { name: "KEEP", value: String(values.keep) },
                                    { name: "AWS_DEFAULT_REGION", value: storage.region },
                                    ...(storage.s3Url ? [{ name: "S3_URL", value: storage.s3Url }] : []),
                                    { name: "HOME", value: "/tmp" },
                                    secretEnv("AWS_ACCESS_KEY_ID"),
                                    secretEnv("AWS_SECRET_ACCESS_KEY"),
                                ],
                                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                                volumeMounts: [{ name: "backup", mountPath: "/backup", readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
                            }],
                            volumes: [
                                { name: "etcd-certs", hostPath: { path: ETCD_CERT_DIR, type: "Directory" } },
                                { name: "backup", emptyDir: {} },
                                { name: "tmp", emptyDir: {} },
                            ],
                        },
                    },
                },
            },
        },
    };
}

export interface EtcdBackupArgs {
    readonly spec: ClusterSpec;
    readonly provider: k8s.Provider;
    readonly values: EtcdBackupValues;
    readonly storage: Storage;
    readonly credentials: { readonly accessKeyId: pulumi.Output<string>; readonly secretAccessKey: pulumi.Output<string> };
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class EtcdBackup extends pulumi.ComponentResource {
    readonly cronJob: k8s.batch.v1.CronJob;

    constructor(name: string, args: EtcdBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:backup:EtcdBackup", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const secret = new k8s.core.v1.Secret(`${ETCD_BACKUP_NAMESPACE}/${ETCD_BACKUP_SECRET}`, {
            metadata: { name: ETCD_BACKUP_SECRET, namespace: ETCD_BACKUP_NAMESPACE },
            type: "Opaque",
            stringData: { AWS_ACCESS_KEY_ID: pulumi.secret(args.credentials.accessKeyId), AWS_SECRET_ACCESS_KEY: pulumi.secret(args.credentials.secretAccessKey) },
        }, { ...k8sOpts, dependsOn: args.dependsOn });
        const { apiVersion: _apiVersion, kind: _kind, ...cronJob } = etcdBackupCronJob(args.spec, args.values, args.storage);
        this.cronJob = new k8s.batch.v1.CronJob(`${ETCD_BACKUP_NAMESPACE}/${ETCD_BACKUP_NAME}`, cronJob, { ...k8sOpts, dependsOn: [secret] });
        this.registerOutputs({ cronJob: `${ETCD_BACKUP_NAMESPACE}/${ETCD_BACKUP_NAME}` });
    }
}
