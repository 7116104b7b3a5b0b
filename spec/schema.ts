/**
 * The cluster spec: every `clusters:` key of a stack file, with openCenter's defaults
 * (shared/reference/opencenter.md §5). Shapes and single-field rules live here; rules that relate
 * fields to each other live in `rules/`.
 */
import { z } from "zod";
import { cidr, cron, dnsLabel, dnsName, duration, gitRef, gitUrl, repoPath, version } from "./formats";
import { infrastructureSchema, PROVIDERS } from "./infrastructure";

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
        exemptNamespaces: z.array(dnsLabel).default(["kube-system"]),
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
        issuerUrl: z.string().regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~\/-]*)?$/, "must be an https:// URL").optional(),
        clientId: z.string().regex(/^[A-Za-z0-9._-]+$/, "may contain only letters, digits, '.', '_' and '-'").optional(),
        /** @default "preferred_username" */
        usernameClaim: z.string().regex(/^[A-Za-z0-9_]+$/).default("preferred_username"),
        /** @default "oidc:" */
        usernamePrefix: z.string().regex(/^[A-Za-z0-9:_-]*$/).default("oidc:"),
        /** @default "groups" */
        groupsClaim: z.string().regex(/^[A-Za-z0-9_]+$/).default("groups"),
        /** @default "oidc:" */
        groupsPrefix: z.string().regex(/^[A-Za-z0-9:_-]*$/).default("oidc:"),
    }).strict().prefault({}),
}).strict().prefault({});

export const kubespraySchema = z.object({
    /** Kubespray release. @default "2.31.0" */
    version: version.default("2.31.0"),
    runner: z.object({
        /** Run Kubespray from a git checkout in a Python virtualenv, or from Kubespray's container image. @default "venv" */
        type: z.enum(["venv", "container"]).default("venv"),
        /** Container image when `type` is container. @default "quay.io/kubespray/kubespray:v<version>" */
        image: z.string().regex(/^[a-z0-9.\/:_-]+(@sha256:[a-f0-9]{64})?$/, "must be an image reference").optional(),
        /** Directory (relative to the project) holding checkouts, virtualenvs and rendered inventories. @default ".kubespray" */
        workDir: repoPath.default(".kubespray"),
    }).strict().prefault({}),
    /** Extra Kubespray variables written to group_vars (never to a command line). @default {} */
    extraVars: z.record(
        z.string().regex(/^[a-z_][a-z0-9_]*$/, "must be an Ansible variable name"),
        z.union([z.string().max(1024), z.number(), z.boolean()]),
    ).default({}),
}).strict().prefault({});

export const gitopsSchema = z.object({
    repository: z.object({
        /** The cluster's GitOps repository (Flux syncs from it). */
        url: gitUrl,
        /** @default "main" */
        branch: gitRef.default("main"),
        /** Path Flux syncs. @default "clusters/<cluster>" */
        path: repoPath.optional(),
    }).strict(),
    auth: z.object({
        /** token for https URLs (secret `secrets.gitToken`), ssh for ssh URLs (deploy key generated, or `secrets.gitSshPrivateKey`). @default matches the URL */
        method: z.enum(["token", "ssh"]).optional(),
        /** known_hosts lines for the Git host of an ssh URL. @default GitHub's published host keys for github.com */
        knownHosts: z.array(z.string().regex(/^[A-Za-z0-9.,:\[\]-]+ (ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+\/=]+$/, "must be a known_hosts line: host key-type key")).optional(),
        /** User name sent with the token. @default "git" */
        username: z.string().regex(/^[A-Za-z0-9._-]+$/).default("git"),
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

export const serviceSchema = z.object({
    /** @default the catalog's default */
    enabled: z.boolean().optional(),
    /** Base-repository tag for this service only. @default `gitops.base.release` */
    release: gitRef.optional(),
    /** Plain Helm values override (secret values go to `secrets.services.<name>`). @default {} */
    values: z.record(z.string(), z.unknown()).default({}),
}).strict();

export const backupSchema = z.object({
    /** @default false */
    enabled: z.boolean().default(false),
    storage: z.object({
        /** S3-compatible bucket (Swift's S3 API works). */
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
        /** @default "us-east-1" */
        region: z.string().regex(/^[a-z0-9-]+$/).default("us-east-1"),
        /** Endpoint URL for non-AWS object stores. */
        s3Url: z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~\/-]*)?$/, "must be an http(s) URL").optional(),
    }).strict().optional(),
    /** @default [{ name: "daily", cron: "0 1 * * *", ttl: "720h" }] */
    schedules: z.array(z.object({
        name: dnsLabel,
        cron,
        /** How long backups are kept. @default "720h" */
        ttl: duration.default("720h"),
        /** @default ["*"] */
        includedNamespaces: z.array(z.union([z.literal("*"), dnsLabel])).default(["*"]),
        /** @default [] */
        excludedNamespaces: z.array(dnsLabel).default([]),
    }).strict()).default([{ name: "daily", cron: "0 1 * * *", ttl: "720h", includedNamespaces: ["*"], excludedNamespaces: [] }]),
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
        includedNamespaces: z.array(z.union([z.literal("*"), dnsLabel])).min(1).default(["*"]),
        /** @default [] */
        excludedNamespaces: z.array(dnsLabel).default([]),
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
    pausedReason: z.string().max(500).optional(),
    /** Windows (UTC) in which disruptive steps may run. Empty means any time. @default [] */
    maintenanceWindows: z.array(z.object({
        days: z.array(z.enum(WEEKDAYS)).min(1),
        /** Start time HH:MM (UTC). */
        start: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "must be HH:MM in 24-hour UTC"),
        durationMinutes: z.number().int().min(15).max(1440),
    }).strict()).default([]),
    /** Acknowledges one disruptive operation outside a window: the token `pulumi up` printed for it. */
    breakGlass: z.string().regex(/^[a-z0-9-]+$/, "must be the token printed for the operation").optional(),
    upgrade: z.object({
        /** Workers upgraded at once: a count or a percentage. @default "20%" */
        workerBatch: z.union([z.number().int().min(1), z.string().regex(/^([1-9][0-9]?|100)%$/, "must be a percentage such as 20%")]).default("20%"),
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
        sshGeneration: z.number().int().min(0).default(0),
        /** Bump to rotate the age identity now. @default 0 */
        ageGeneration: z.number().int().min(0).default(0),
        /** Days before the generated Flux deploy key is due for rotation. @default 180 */
        fluxDeployKeyDays: z.number().int().min(1).max(3650).default(180),
        /** Bump to rotate the generated Flux deploy key now (then register the new `fluxDeployKey` output with the Git host). @default 0 */
        fluxDeployKeyGeneration: z.number().int().min(0).default(0),
    }).strict().prefault({}),
    drift: z.object({
        /** @default "0 6 * * *" */
        schedule: cron.default("0 6 * * *"),
        /** @default false */
        autoRemediate: z.boolean().default(false),
    }).strict().prefault({}),
    /** Node names to drain, remove, recreate and rejoin, with a generation bumped per request. @default [] */
    replaceNodes: z.array(z.object({ node: dnsLabel, generation: z.number().int().min(1) }).strict()).default([]),
    /** Pulumi Deployments agent pool for on-prem targets. */
    agentPoolId: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
}).strict().prefault({});

/** Secret values: read from `clusters:secrets`, which `pulumi config set --secret --path` writes. */
export const secretsSchema = z.object({
    gitToken: z.string().min(1).optional(),
    gitSshPrivateKey: z.string().min(1).optional(),
    baseRepoToken: z.string().min(1).optional(),
    harvesterKubeconfig: z.string().min(1).optional(),
    sshPrivateKey: z.string().min(1).optional(),
    backupAccessKeyId: z.string().min(1).optional(),
    backupSecretAccessKey: z.string().min(1).optional(),
    services: z.record(dnsLabel, z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string())).default({}),
}).strict().prefault({});

export const clusterConfigSchema = z.object({
    meta: metaSchema,
    kubernetes: kubernetesSchema,
    infrastructure: infrastructureSchema,
    kubespray: kubespraySchema,
    gitops: gitopsSchema.optional(),
    services: z.record(z.string(), serviceSchema).default({}),
    backup: backupSchema,
    operations: operationsSchema,
    secrets: secretsSchema,
}).strict();

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
export type Secrets = ClusterConfig["secrets"];
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
export const CONFIG_KEYS = Object.keys(clusterConfigSchema.shape) as readonly (keyof ClusterConfig)[];
