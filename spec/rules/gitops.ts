/** GitOps repository, services and their dependencies. */
import { z } from "zod";
import { GITOPS_BASE_CHECKED_RELEASE, REMOTE_NAMESPACES, SERVICE_CATALOG, SERVICE_NAMES, UPSTREAM_NAMESPACE_ENFORCE, isEnabledByDefault } from "../catalog";
import { providerDefaultStorageClass, SERVICE_DEFAULT_STORAGE_CLASSES } from "../cloud";
import { cron, gitUrlScheme } from "../formats";
import type { ClusterConfig } from "../schema";
import type { RuleContext } from "./context";

export function gitAuthMatchesUrl(ctx: RuleContext): void {
    const gitops = ctx.config.gitops;
    if (!gitops) {
        return;
    }
    const scheme = gitUrlScheme(gitops.repository.url);
    const expected = scheme === "https" ? "token" : "ssh";
    if (gitops.auth.method && gitops.auth.method !== expected) {
        ctx.error("gitops.auth.method", `"${gitops.auth.method}" does not match gitops.repository.url, which is ${scheme}; allowed: ${expected}`);
    }
    if (gitops.base.auth === "token" && gitUrlScheme(gitops.base.url) !== "https") {
        ctx.error("gitops.base.auth", "token auth needs an https:// gitops.base.url");
    }
}

/**
 * Whether each catalog service is on for this stack: explicit setting, else the catalog default.
 * etcd-backup, on by default as in openCenter, needs somewhere to put the snapshots: left on by default
 * only when `backup.storage` is set (a rule says so when it is not).
 */
export function enabledServices(config: ClusterConfig): string[] {
    if (!config.gitops) {
        return [];
    }
    return SERVICE_NAMES.filter((name) => {
        const explicit = config.services[name]?.enabled;
        if (explicit !== undefined) {
            return explicit;
        }
        if (name === "etcd-backup" && !config.backup.storage) {
            return false;
        }
        return isEnabledByDefault(SERVICE_CATALOG[name], config.infrastructure.provider);
    });
}

/** Values of the etcd-backup service (it is made by the program, so its values are checked here). */
export const etcdBackupValuesSchema = z.object({
    /** When the CronJob runs (UTC). @default "0 1 * * *" (openCenter's) */
    schedule: cron.default("0 1 * * *"),
    /** Snapshots kept per reason (scheduled, pre-upgrade, …); older ones are deleted after each upload. @default 30 */
    keep: z.number().int().min(1).max(1000).default(30),
}).strict();

export type EtcdBackupValues = z.output<typeof etcdBackupValuesSchema>;

export function etcdBackupValues(values: Readonly<Record<string, unknown>>): EtcdBackupValues {
    const parsed = etcdBackupValuesSchema.safeParse(values);
    return parsed.success ? parsed.data : etcdBackupValuesSchema.parse({});
}

export function servicesAreKnownAndComplete(ctx: RuleContext): void {
    const { services, gitops } = ctx.config;
    for (const name of Object.keys(services).sort()) {
        if (!SERVICE_CATALOG[name]) {
            ctx.error(`services.${name}`, `is not a known service; allowed: ${SERVICE_NAMES.join(", ")}`);
        } else if (!gitops && services[name].enabled) {
            ctx.error(`services.${name}.enabled`, "needs a gitops section: services are delivered by Flux from the GitOps repository");
        } else {
            serviceValuesFit(ctx, name);
        }
    }
    const enabled = new Set(enabledServices(ctx.config));
    for (const name of [...enabled].sort()) {
        for (const dependency of SERVICE_CATALOG[name].dependsOn) {
            if (!enabled.has(dependency)) {
                ctx.error(`services.${name}`, `needs ${dependency}, which is disabled (services.${dependency}.enabled); enable it or disable ${name}`);
            }
        }
    }
    if (enabled.has("etcd-backup") && !ctx.config.backup.storage) {
        ctx.error("backup.storage", "is required while services.etcd-backup is enabled (the snapshots go to this bucket)");
    } else if (gitops && !enabled.has("etcd-backup") && services["etcd-backup"]?.enabled === undefined) {
        ctx.warn("services.etcd-backup", "is on by default but backup.storage is not set: etcd snapshots stay on the control-plane nodes; set backup.storage ({bucket, region, s3Url}) to take them off the nodes daily");
    }
    if (ctx.config.backup.enabled) {
        if (!ctx.config.backup.storage) {
            ctx.error("backup.storage", "is required when backup.enabled is true ({bucket, region, s3Url})");
        }
        if (!enabled.has("velero")) {
            ctx.error("services.velero.enabled", "must not be false while backup.enabled is true (Velero takes the backups)");
        }
    }
    if (ctx.config.backup.restore && !ctx.config.backup.enabled) {
        ctx.error("backup.restore", "needs backup.enabled: true (Velero restores from the backup storage location the program makes)");
    }
    oneDefaultStorageClass(ctx, enabled);
    podSecurityAdmitsServices(ctx, enabled);
}

/**
 * Exactly one default StorageClass. The provider CSI makes one (csi-cinder-sc-delete, vsphere-csi, harvester);
 * longhorn's gitops-base path makes `general` default too. The program patches `general` to non-default while
 * the CSI runs (components/services/objects.ts) and says so; a longhorn `persistence.defaultClass: true` the
 * stack asks for would make a second default, which Kubernetes resolves silently by taking the newest (1.26+).
 */
function oneDefaultStorageClass(ctx: RuleContext, enabled: ReadonlySet<string>): void {
    const provider = providerDefaultStorageClass(ctx.config.infrastructure.provider, [...enabled]);
    for (const service of Object.keys(SERVICE_DEFAULT_STORAGE_CLASSES).filter((name) => enabled.has(name)).sort()) {
        const own = SERVICE_DEFAULT_STORAGE_CLASSES[service].storageClass;
        const persistence = ctx.config.services[service]?.values?.persistence as Record<string, unknown> | undefined;
        if (persistence?.defaultClass === true) {
            ctx.error(`services.${service}.values.persistence.defaultClass`, `true makes the chart's StorageClass a second default beside ${provider ? `${provider.storageClass} (services.${provider.csi})` : `${own} (gitops-base)`}; with two defaults Kubernetes gives new PVCs the newest one; remove it`);
        } else if (provider) {
            ctx.warn(`services.${service}`, `${provider.storageClass} (services.${provider.csi}) stays the only default StorageClass: the program makes ${service}'s "${own}" StorageClass non-default (gitops-base marks it default too, and with two defaults Kubernetes picks the newest). PVCs that want ${service} name storageClassName: ${own}; to make ${own} the default instead, disable services.${provider.csi}`);
        }
    }
}

/**
 * With `kubernetes.podSecurity.level: restricted`, Pod Security admission enforces `restricted` in every namespace
 * that has no `pod-security.kubernetes.io/enforce` label and is not exempt (Kubespray kube_pod_security_default_enforce,
 * kube_pod_security_exemptions_namespaces). Most gitops-base namespaces carry no label (UPSTREAM_NAMESPACE_ENFORCE),
 * and Kyverno's policies only audit (failureAction: Audit): pods of those services that are not restricted-compliant
 * are rejected and the services never become Ready.
 */
function podSecurityAdmitsServices(ctx: RuleContext, enabled: ReadonlySet<string>): void {
    const { level, exemptNamespaces } = ctx.config.kubernetes.podSecurity;
    if (level !== "restricted") {
        return;
    }
    const unlabelled = new Map<string, string[]>();
    for (const name of [...enabled].sort()) {
        const namespace = SERVICE_CATALOG[name].namespace;
        if (UPSTREAM_NAMESPACE_ENFORCE[namespace] || REMOTE_NAMESPACES.has(namespace) || exemptNamespaces.includes(namespace)) {
            continue;
        }
        unlabelled.set(namespace, [...(unlabelled.get(namespace) ?? []), name]);
    }
    if (unlabelled.size === 0) {
        return;
    }
    const list = [...unlabelled].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, services]) => `${namespace} (${services.join(", ")})`).join(", ");
    ctx.warn("kubernetes.podSecurity.exemptNamespaces", `kubernetes.podSecurity.level is "restricted" and these namespaces of enabled services carry no pod-security.kubernetes.io/enforce label in gitops-base ${GITOPS_BASE_CHECKED_RELEASE} and are not exempt: ${list}. Pod Security admission rejects their pods that are not restricted-compliant (Kyverno's policies only audit), so those services may never become Ready: add the namespaces to kubernetes.podSecurity.exemptNamespaces, or set kubernetes.podSecurity.level to baseline`);
}

/** `values` must go somewhere real: a HelmRelease's override Secret, a custom resource patch, or the program's own schema. */
function serviceValuesFit(ctx: RuleContext, name: string): void {
    const service = SERVICE_CATALOG[name];
    const values = ctx.config.services[name].values;
    if (Object.keys(values).length === 0) {
        return;
    }
    if (name === "etcd-backup") {
        const parsed = etcdBackupValuesSchema.safeParse(values);
        if (!parsed.success) {
            for (const issue of parsed.error.issues) {
                ctx.error(`services.${name}.values${issue.path.length ? `.${issue.path.join(".")}` : ""}`, `${issue.message}; allowed keys: schedule (cron), keep (number of snapshots)`);
            }
        }
        return;
    }
    if (service.helmValues.length === 0 && !service.patchValues) {
        ctx.error(`services.${name}.values`, `${name} has no HelmRelease in gitops-base ${GITOPS_BASE_CHECKED_RELEASE}, so values would be ignored; remove them`);
        return;
    }
    const keyed = service.helmValues.filter((target) => target.valuesKey).map((target) => target.valuesKey!);
    if (keyed.length > 0) {
        for (const key of Object.keys(values).sort()) {
            if (!keyed.includes(key)) {
                ctx.error(`services.${name}.values.${key}`, `${name} has one HelmRelease per part; values go under its part: ${keyed.join(", ")}`);
            } else if (typeof values[key] !== "object" || values[key] === null || Array.isArray(values[key])) {
                ctx.error(`services.${name}.values.${key}`, "must be an object of Helm values");
            }
        }
    }
}

/** GitHub's published SSH host keys (a public fact), used when the repository is on github.com. */
export const GITHUB_KNOWN_HOSTS: readonly string[] = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
];

export function gitHost(url: string): string {
    const match = /^(?:https:\/\/|ssh:\/\/[^@]+@)?(?:[^@]+@)?([A-Za-z0-9.-]+)/.exec(url);
    return match?.[1] ?? "";
}

export function sshKnownHostsGiven(ctx: RuleContext): void {
    const gitops = ctx.config.gitops;
    if (!gitops || gitUrlScheme(gitops.repository.url) !== "ssh" || gitops.auth.knownHosts) {
        return;
    }
    if (gitHost(gitops.repository.url) !== "github.com") {
        ctx.error("gitops.auth.knownHosts", `is required for an ssh URL on ${gitHost(gitops.repository.url)}: Flux verifies the host key (e.g. the output of ssh-keyscan)`);
    }
}
