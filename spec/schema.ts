/**
 * The cluster spec: every `clusters:` key of a stack file, with openCenter's defaults
 * (shared/reference/opencenter.md §5). Shapes and single-field rules live here; rules that relate
 * fields to each other live in `rules/`.
 */
import { z } from "zod";
import { SERVICE_NAMES } from "./catalog";
import {
    bounded, boundedRecord, cidr, cron, dnsLabel, dnsName, duration, gitopsPath, gitRef, gitUrl, imageReference, knownHostsLine,
    ownKey, repoPath, version,
} from "./formats";
import { infrastructureSchema, PROVIDERS } from "./infrastructure";
import { unsafeTextProblem } from "./text";
import { MAX_CONTROL_PLANE_NODES, MAX_LIST, MAX_NODES, MAX_SECRET_LENGTH, MAX_SERVICE_VALUES_ENTRIES, MAX_TEXT } from "./limits";

export type Provider = (typeof PROVIDERS)[number];

export const metaSchema = z.object({
    /** Cluster name (DNS-1123 label); prefix of every node and resource name. */
    name: dnsLabel,
    /** @default "opencenter" */
    organization: dnsLabel.default("opencenter"),
    /** @default "dev" */
    environment: z.enum(["dev", "staging", "production"]).default("dev"),
    /** Free-form region or site label, put on resources as metadata. @default "" */
    region: z.union([z.literal(""), dnsLabel]).default(""),
}).strict();

const NETWORK_MODES = ["vxlan", "ipip", "geneve", "native", "none"] as const;

export const kubernetesSchema = z.object({
    /** Kubernetes version, MAJOR.MINOR.PATCH. @default "1.33.7" */
    version: version.default("1.33.7"),
    /** Port of the API server and of the API endpoint. @default 6443 */
    apiPort: z.number().int().min(1).max(65535).default(6443),
    /** @default "10.42.0.0/16" */
    podSubnet: cidr.default("10.42.0.0/16"),
    /** @default "10.43.0.0/16" */
    serviceSubnet: cidr.default("10.43.0.0/16"),
    /** Pod CIDR size per node. @default 24 */
    nodePrefix: z.number().int().min(16).max(28).default(24),
    /** @default "cluster.local" */
    clusterDomain: dnsName.default("cluster.local"),
    network: z.object({
        /** @default "calico" */
        plugin: z.enum(["calico", "cilium", "kube-ovn"]).default("calico"),
        /** Plugin version; unset means the version the Kubespray release pins. */
        version: version.optional(),
        /** Encapsulation: calico vxlan|ipip|none, cilium vxlan|geneve|native, kube-ovn geneve|vxlan. @default "vxlan" (geneve for kube-ovn) */
        mode: z.enum(NETWORK_MODES).optional(),
    }).strict().prefault({}),
    /** @default "ipvs" */
    proxyMode: z.enum(["ipvs", "iptables", "nftables"]).default("ipvs"),
    /** @default "containerd" */
    containerRuntime: z.enum(["containerd", "crio"]).default("containerd"),
    podSecurity: z.object({
        /** Pod Security Admission level enforced by default. @default "baseline" */
        level: z.enum(["privileged", "baseline", "restricted"]).default("baseline"),
        /** Namespaces exempt from the default level. @default ["kube-system"] */
        exemptNamespaces: z.array(dnsLabel).max(MAX_LIST.namespaces).default(["kube-system"]),
    }).strict().prefault({}),
    /** API server audit log. @default true */
    auditLogging: z.boolean().default(true),
    /** Encrypt Secrets in etcd. @default true */
    encryptionAtRest: z.boolean().default(true),
    /** Renew control-plane certificates monthly (Kubespray's systemd timer). @default true */
    autoRenewCertificates: z.boolean().default(true),
    oidc: z.object({
        /** @default false */
        enabled: z.boolean().default(false),
        issuerUrl: bounded(MAX_TEXT.url).regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~\/-]*)?$/, "must be an https:// URL").optional(),
        clientId: bounded(255).regex(/^[A-Za-z0-9._-]+$/, "may contain only letters, digits, '.', '_' and '-'").optional(),
        /** @default "preferred_username" */
        usernameClaim: bounded(64).regex(/^[A-Za-z0-9_]+$/, "may contain only letters, digits and '_'").default("preferred_username"),
        /** @default "oidc:" */
        usernamePrefix: bounded(64).regex(/^[A-Za-z0-9:_-]*$/, "may contain only letters, digits, ':', '_' and '-'").default("oidc:"),
        /** @default "groups" */
        groupsClaim: bounded(64).regex(/^[A-Za-z0-9_]+$/, "may contain only letters, digits and '_'").default("groups"),
        /** @default "oidc:" */
        groupsPrefix: bounded(64).regex(/^[A-Za-z0-9:_-]*$/, "may contain only letters, digits, ':', '_' and '-'").default("oidc:"),
    }).strict().prefault({}),
}).strict().prefault({});

/** Items of one `kubespray.extraVars` list or map (Kubespray's maps such as `eviction_hard` have a handful). */
const MAX_EXTRA_VAR_ITEMS = 64;

/** One value of `kubespray.extraVars` (the characters a string may hold are checked by spec/rules/kubespray.ts). */
const extraVarScalar = z.union([bounded(MAX_TEXT.extraVarValue), z.number(), z.boolean()]);

export const kubespraySchema = z.object({
    /** Kubespray release. @default "2.31.0" */
    version: version.default("2.31.0"),
    runner: z.object({
        /** Run Kubespray from a git checkout in a Python virtualenv, or from Kubespray's container image. @default "venv" */
        type: z.enum(["venv", "container"]).default("venv"),
        /** Container image when `type` is container. @default "quay.io/kubespray/kubespray:v<version>" */
        image: imageReference.optional(),
        /** Directory (relative to the project) holding checkouts, virtualenvs and rendered inventories. @default ".kubespray" */
        workDir: repoPath.default(".kubespray"),
    }).strict().prefault({}),
    /**
     * Extra Kubespray variables written to group_vars (never to a command line): only the tuning variables
     * listed in ALLOWED_EXTRA_VARS (spec/rules/kubespray.ts, which also checks the values). A value is a
     * boolean, a number, a string, or a list or one-level map of those. @default {}
     */
    extraVars: boundedRecord(
        ownKey(bounded(128).regex(/^[a-z_][a-z0-9_]*$/, "must be an Ansible variable name")),
        z.union([
            extraVarScalar,
            z.array(extraVarScalar).max(MAX_EXTRA_VAR_ITEMS),
            boundedRecord(ownKey(bounded(128).regex(/^[A-Za-z0-9._\/-]+$/, "must be a key of letters, digits, '.', '_', '-' and '/'")), extraVarScalar, MAX_EXTRA_VAR_ITEMS),
        ]),
        MAX_LIST.extraVars,
    ).default({}),
}).strict().prefault({});

export const gitopsSchema = z.object({
    repository: z.object({
        /** The cluster's GitOps repository (Flux syncs from it). */
        url: gitUrl,
        /** @default "main" */
        branch: gitRef.default("main"),
        /** Path Flux syncs. @default "clusters/<cluster>" */
        path: gitopsPath.optional(),
    }).strict(),
    auth: z.object({
        /** token for https URLs (secret `secrets.gitToken`), ssh for ssh URLs (deploy key generated, or `secrets.gitSshPrivateKey`). @default matches the URL */
        method: z.enum(["token", "ssh"]).optional(),
        /** known_hosts lines for the Git host of an ssh URL. @default GitHub's published host keys for github.com */
        knownHosts: z.array(knownHostsLine).max(MAX_LIST.knownHosts).optional(),
        /** User name sent with the token. @default "git" */
        username: bounded(64).regex(/^[A-Za-z0-9._-]+$/, "may contain only letters, digits, '.', '_' and '-'").default("git"),
    }).strict().prefault({}),
    base: z.object({
        /** @default "https://github.com/opencenter-cloud/openCenter-gitops-base.git" */
        url: gitUrl.default("https://github.com/opencenter-cloud/openCenter-gitops-base.git"),
        /** Release tag every service source is pinned to. @default "2026.01" */
        release: gitRef.default("2026.01"),
        /** none for a public repository; token uses `secrets.baseRepoToken`. @default "none" */
        auth: z.enum(["none", "token"]).default("none"),
    }).strict().prefault({}),
    flux: z.object({
        /** Flux version the Flux Operator installs (FluxInstance distribution). @default "2.9.4" */
        version: version.default("2.9.4"),
        /** Flux Operator Helm chart version. @default "0.28.0" */
        operatorVersion: version.default("0.28.0"),
        /** @default "1m" */
        interval: duration.default("1m"),
        /** @default true */
        prune: z.boolean().default(true),
    }).strict().prefault({}),
}).strict();

/**
 * Helm values are free text that reaches Kubernetes objects and the plan's files: keys and strings may
 * span lines but hold no control or invisible format character (spec/text.ts). Walked without recursion
 * (spec/bounds.ts has already bounded the size); at most a few problems are reported per service.
 */
function refuseInvisibleCharacters(values: Record<string, unknown>, ctx: z.RefinementCtx): void {
    const pending: [unknown, PropertyKey[]][] = [[values, []]];
    let reported = 0;
    while (pending.length > 0 && reported < 5) {
        const [value, at] = pending.pop()!;
        if (typeof value === "string") {
            const problem = unsafeTextProblem(value, { multiline: true });
            if (problem) {
                ctx.addIssue({ code: "custom", message: problem, path: at });
                reported++;
            }
        } else if (value !== null && typeof value === "object") {
            for (const [key, item] of Object.entries(value)) {
                const problem = unsafeTextProblem(key);
                if (problem) {
                    ctx.addIssue({ code: "custom", message: `has a key that ${problem}`, path: at });
                    reported++;
                }
                pending.push([item, [...at, Array.isArray(value) ? Number(key) : key]]);
            }
        }
    }
}

export const serviceSchema = z.object({
    /** @default the catalog's default */
    enabled: z.boolean().optional(),
    /** Base-repository tag for this service only. @default `gitops.base.release` */
    release: gitRef.optional(),
    /**
     * Plain Helm values override (secret values go to `secrets.services.<name>`). Bounded so that the
     * values Secret stays under Kubernetes' 1 MiB (spec/limits.ts). @default {}
     */
    values: boundedRecord(bounded(1024), z.unknown(), MAX_SERVICE_VALUES_ENTRIES).superRefine(refuseInvisibleCharacters).default({}),
}).strict();

export const backupSchema = z.object({
    /** @default false */
    enabled: z.boolean().default(false),
    storage: z.object({
        /** S3-compatible bucket (Swift's S3 API works). */
        bucket: bounded(63).regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
        /** @default "us-east-1" */
        region: bounded(64).regex(/^[a-z0-9-]+$/, "may contain only lowercase letters, digits and '-'").default("us-east-1"),
        /** Endpoint URL for non-AWS object stores. */
        s3Url: bounded(MAX_TEXT.url).regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~\/-]*)?$/, "must be an http(s) URL").optional(),
    }).strict().optional(),
    /** @default [{ name: "daily", cron: "0 1 * * *", ttl: "720h" }] */
    schedules: z.array(z.object({
        name: dnsLabel,
        cron,
        /** How long backups are kept. @default "720h" */
        ttl: duration.default("720h"),
        /** @default ["*"] */
        includedNamespaces: z.array(z.union([z.literal("*"), dnsLabel])).max(MAX_LIST.namespaces).default(["*"]),
        /** @default [] */
        excludedNamespaces: z.array(dnsLabel).max(MAX_LIST.namespaces).default([]),
    }).strict()).max(MAX_LIST.schedules).default([{ name: "daily", cron: "0 1 * * *", ttl: "720h", includedNamespaces: ["*"], excludedNamespaces: [] }]),
    /** Take an etcd snapshot on every control-plane node before Kubespray upgrades. @default true */
    etcdSnapshotBeforeUpgrade: z.boolean().default(true),
    /**
     * Restore a Velero backup, once: the program applies one Velero Restore named `name`. A new request is
     * a new `name` (the old Restore object is deleted, the restored objects stay); remove the section when
     * done. Needs `backup.enabled`.
     */
    restore: z.object({
        /** Name of the Restore object; change it to restore again. */
        name: dnsLabel,
        /** The Velero Backup to restore from, as `velero backup get` lists it (e.g. `<cluster>-daily-20260301010012`). */
        backup: dnsName,
        /** Namespaces to restore; ["*"] is the whole cluster. @default ["*"] */
        includedNamespaces: z.array(z.union([z.literal("*"), dnsLabel])).min(1).max(MAX_LIST.namespaces).default(["*"]),
        /** @default [] */
        excludedNamespaces: z.array(dnsLabel).max(MAX_LIST.namespaces).default([]),
        /** Restore persistent volume data too. @default true */
        restorePVs: z.boolean().default(true),
        /** Objects that already exist: none leaves them as they are, update patches them to the backup's. @default "none" */
        existingResourcePolicy: z.enum(["none", "update"]).default("none"),
    }).strict().optional(),
}).strict().prefault({});

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

export const operationsSchema = z.object({
    /** Refuse `pulumi up` (preview still works). @default false */
    paused: z.boolean().default(false),
    /** Shown when `pulumi up` refuses because of `paused`. */
    pausedReason: bounded(MAX_TEXT.pausedReason).superRefine((reason, ctx) => {
        // Printed when pulumi up refuses, in the plan summary and in plan.md (spec/text.ts says what is refused).
        const problem = unsafeTextProblem(reason);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    }).optional(),
    /** Windows (UTC) in which disruptive steps may run. Empty means any time. @default [] */
    maintenanceWindows: z.array(z.object({
        days: z.array(z.enum(WEEKDAYS)).min(1).max(7),
        /** Start time HH:MM (UTC). */
        start: bounded(5).regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "must be HH:MM in 24-hour UTC"),
        durationMinutes: z.number().int().min(15).max(1440),
    }).strict()).max(MAX_LIST.maintenanceWindows).default([]),
    /** Acknowledges one disruptive operation outside a window: the token `pulumi up` printed for it. */
    breakGlass: bounded(128).regex(/^[a-z0-9-]+$/, "must be the token printed for the operation").optional(),
    upgrade: z.object({
        /** Workers upgraded at once: a count or a percentage. @default "20%" */
        workerBatch: z.union([z.number().int().min(1).max(MAX_NODES), bounded(4).regex(/^([1-9][0-9]?|100)%$/, "must be a percentage such as 20%")]).default("20%"),
    }).strict().prefault({}),
    drain: z.object({
        /** @default 300 */
        gracePeriodSeconds: z.number().int().min(0).max(86400).default(300),
        /** @default 360 */
        timeoutSeconds: z.number().int().min(30).max(86400).default(360),
        /** @default 3 */
        retries: z.number().int().min(0).max(20).default(3),
    }).strict().prefault({}),
    keyRotation: z.object({
        /** @default 180 */
        sshDays: z.number().int().min(1).max(3650).default(180),
        /** @default 90 */
        ageDays: z.number().int().min(1).max(3650).default(90),
        /** Bump to rotate the SSH key now. @default 0 */
        sshGeneration: z.number().int().min(0).max(1_000_000).default(0),
        /** Bump to rotate the age identity now. @default 0 */
        ageGeneration: z.number().int().min(0).max(1_000_000).default(0),
        /** Days before the generated Flux deploy key is due for rotation. @default 180 */
        fluxDeployKeyDays: z.number().int().min(1).max(3650).default(180),
        /** Bump to rotate the generated Flux deploy key now (then register the new `fluxDeployKey` output with the Git host). @default 0 */
        fluxDeployKeyGeneration: z.number().int().min(0).max(1_000_000).default(0),
        /**
         * Bump to rotate the Kubernetes provider's credential now: the `pulumi-clusters-admin` ServiceAccount
         * token the program holds in its kubeconfig (a new token Secret is made, the other generations'
         * Secrets are deleted). The token does not expire by itself; the policy pack's key expiry policies
         * say when it is due. @default 0
         */
        kubeconfigGeneration: z.number().int().min(0).max(1_000_000).default(0),
    }).strict().prefault({}),
    drift: z.object({
        /** @default "0 6 * * *" */
        schedule: cron.default("0 6 * * *"),
        /** @default false */
        autoRemediate: z.boolean().default(false),
    }).strict().prefault({}),
    /** Node names to drain, remove, recreate and rejoin, with a generation bumped per request. @default [] */
    replaceNodes: z.array(z.object({ node: dnsLabel, generation: z.number().int().min(1).max(1_000_000) }).strict()).max(MAX_LIST.replaceNodes).default([]),
    // -- recovery (README "When things break") ---------------------------------------------------------
    /**
     * Nodes Kubespray may remove **without reaching them**: `remove-node.yml -e node=<names>
     * reset_nodes=false allow_ungraceful_removal=true` (Kubespray docs/operations/nodes.md). Nothing is
     * drained gracefully (pods are deleted without eviction; PodDisruptionBudgets are not honoured), nothing
     * on the node is reset, and its etcd member (if any) is removed through the first etcd member. For a
     * VM that is gone or a host that no longer answers: a worker whose machine is recreated
     * (`replaceNodes`), or any node that leaves the stack file (a pool shrinks, an existing host is dropped).
     * A broken control-plane node that stays in the stack file goes in `recoverControlPlane` instead.
     * Without this, a removal first checks that the node answers and fails naming this field. Remove the
     * names once `pulumi up` has removed the nodes. @default []
     */
    removeUnreachable: z.array(dnsLabel).max(MAX_LIST.replaceNodes).default([]),
    /**
     * Bring broken control-plane nodes back with Kubespray's `recover-control-plane.yml`
     * (docs/operations/recover-control-plane.md), lost etcd quorum included: the broken nodes' etcd members
     * and Node objects are deleted, etcd is restored from a snapshot if quorum is lost, and the nodes rejoin
     * with the same name and address. Machines that are gone must also be recreated: list them in
     * `replaceNodes` with a new generation (existing hosts: reinstall the host at the same address first).
     * Applied once per request: remove the section when `pulumi up` has finished (a later request for the
     * same nodes is a new replacement generation, or the section added again).
     */
    recoverControlPlane: z.object({
        /** Control-plane nodes that are broken (Kubespray's `broken_etcd` and `broken_kube_control_plane` groups). At least one control-plane node must not be broken. */
        broken: z.array(dnsLabel).min(1).max(MAX_CONTROL_PLANE_NODES),
        /**
         * The etcd snapshot to restore **when quorum is lost** (Kubespray's `etcd_snapshot`; with quorum it
         * is not used). Every write after the snapshot is lost. Either an object key the etcd-backup CronJob
         * wrote in `backup.storage.bucket` (`{s3Key: etcd-snapshots/<cluster>/<reason>/<file>.db}`,
         * downloaded by the runner with `secrets.backupAccessKeyId`/`backupSecretAccessKey`), or a file on a
         * control-plane node (`{node, path}`, e.g. the runner's pre-upgrade snapshot
         * `/var/backups/etcd-pre-upgrade-<version>.db`). @default a snapshot of the first healthy etcd member, taken by Kubespray
         */
        etcdSnapshot: z.union([
            z.object({
                /** Object key in `backup.storage.bucket`, as `aws s3 ls --recursive` lists it. */
                s3Key: bounded(1024).regex(/^etcd-snapshots\/[a-z0-9-]+\/[a-z][a-z0-9.-]*\/[A-Za-z0-9._-]+\.db$/, "must be an etcd-backup object key: etcd-snapshots/<cluster>/<reason>/<file>.db"),
            }).strict(),
            z.object({
                /** The control-plane node that holds the file. */
                node: dnsLabel,
                /** Absolute path of the snapshot file on that node. */
                path: bounded(255).regex(/^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\.db$/, "must be an absolute path to a .db file (letters, digits, '.', '_', '-')")
                    .refine((p) => !p.split("/").includes(".."), { message: "must not contain '..'" }),
            }).strict(),
        ]).optional(),
    }).strict().optional(),
    /** Pulumi Deployments agent pool for on-prem targets. */
    agentPoolId: bounded(128).regex(/^[A-Za-z0-9-]+$/).optional(),
    /**
     * Teardown is deliberate. In a `production` stack every machine (with its port and volumes), the node
     * network and the Kubespray cluster command are protected: `pulumi destroy` is refused by the engine, and
     * a node or pool taken out of the stack file by the program before anything runs (its drain and
     * remove-node.yml would come before the engine's refusal of the delete). This section lifts the
     * protection, for one `pulumi up` first (the engine checks the protection recorded in the state), then
     * the removal. @default {}
     */
    decommission: z.object({
        /**
         * The cluster's own `meta.name`, typed again: lifts the protection of the whole cluster, so that
         * `pulumi destroy` can tear it down. Any other value is refused, so a stack file copied from another
         * cluster, or a typo, cannot unprotect this one.
         */
        confirm: dnsLabel.optional(),
        /**
         * Nodes whose machines, ports and volumes lose their protection, so a following `pulumi up` can take
         * them out of the stack file (a pool made smaller, a control-plane node retired); listing a node and
         * taking it out in the same `pulumi up` is refused. @default []
         */
        nodes: z.array(dnsLabel).max(MAX_NODES).default([]),
        /**
         * Hosts Kubespray resets when they leave the cluster (`remove-node.yml` with its `reset` role:
         * Kubernetes, etcd data and CNI state wiped from the host). Hosts not listed are removed from the
         * cluster and left as they are (`reset_nodes=false`): an existing host is never wiped unless asked.
         * @default []
         */
        resetHosts: z.array(dnsLabel).max(MAX_NODES).default([]),
    }).strict().prefault({}),
}).strict().prefault({});

/** A secret value: a string (digits set with `pulumi config set --path` arrive as numbers: add `--type string`). */
const secretString = bounded(MAX_SECRET_LENGTH).min(1, "must not be empty");

/** Name of a catalog service, as a map key (`services.<name>`, `secrets.services.<name>`). */
const serviceKey = ownKey(bounded(63), `is not a known service; allowed: ${SERVICE_NAMES.join(", ")}`);

/**
 * Name of a service's secret value. Dots place the value at a nested Helm path (`secrets.a.b`), so
 * each dotted segment is checked: none may be an inherited JavaScript name such as `__proto__`.
 */
const secretValueKey = bounded(253)
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a name of letters, digits, '_' and '-', with '.' between nested names")
    .refine((key) => !key.split(".").some((segment) => ["__proto__", "prototype", "constructor"].includes(segment) || Object.hasOwn(Object.prototype, segment)), {
        message: "must not use a name every JavaScript object already has (__proto__, constructor, prototype, toString…) as a segment",
    });

/** Secret values: read from `clusters:secrets`, which `pulumi config set --secret --path` writes. */
export const secretsSchema = z.object({
    gitToken: secretString.optional(),
    gitSshPrivateKey: secretString.optional(),
    baseRepoToken: secretString.optional(),
    harvesterKubeconfig: secretString.optional(),
    sshPrivateKey: secretString.optional(),
    backupAccessKeyId: secretString.optional(),
    backupSecretAccessKey: secretString.optional(),
    services: boundedRecord(serviceKey, boundedRecord(secretValueKey, secretString, MAX_LIST.serviceSecrets), MAX_LIST.services).default({}),
}).strict().prefault({});

export const clusterConfigSchema = z.object({
    meta: metaSchema,
    kubernetes: kubernetesSchema,
    infrastructure: infrastructureSchema,
    kubespray: kubespraySchema,
    gitops: gitopsSchema.optional(),
    services: boundedRecord(serviceKey, serviceSchema, MAX_LIST.services).default({}),
    backup: backupSchema,
    operations: operationsSchema,
    secrets: secretsSchema,
}).strict();

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
export type Secrets = ClusterConfig["secrets"];
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
export const CONFIG_KEYS = Object.keys(clusterConfigSchema.shape) as readonly (keyof ClusterConfig)[];
