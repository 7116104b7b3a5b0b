/** Secrets the enabled features need: present, and not a placeholder. */
import { SERVICE_CATALOG, SERVICE_NAMES } from "../catalog";
import { gitUrlScheme } from "../formats";
import type { ClusterConfig } from "../schema";
import type { RuleContext } from "./context";
import { enabledServices } from "./gitops";

export interface RequiredSecret {
    /** Path under `secrets`, e.g. `gitToken` or `services.keycloak.adminPassword`. */
    readonly path: string;
    /** Why it is needed, naming the field that asks for it. */
    readonly reason: string;
}

/** Every secret the stack's enabled features need. One list, used by validation and the offline plan. */
export function requiredSecrets(config: ClusterConfig): RequiredSecret[] {
    const required: RequiredSecret[] = [];
    const gitops = config.gitops;
    if (gitops && gitUrlScheme(gitops.repository.url) === "https") {
        required.push({ path: "gitToken", reason: "gitops.repository.url is https (token auth)" });
    }
    if (gitops?.base.auth === "token") {
        required.push({ path: "baseRepoToken", reason: "gitops.base.auth is token" });
    }
    if (config.infrastructure.provider === "harvester") {
        required.push({ path: "harvesterKubeconfig", reason: "infrastructure.provider is harvester" });
    }
    if (config.infrastructure.provider === "existing") {
        required.push({ path: "sshPrivateKey", reason: "infrastructure.provider is existing (the key already authorized on the hosts)" });
    }
    const backupReason = config.backup.enabled ? "backup.enabled is true" : enabledServices(config).includes("etcd-backup") ? "services.etcd-backup is enabled" : undefined;
    if (backupReason) {
        required.push({ path: "backupAccessKeyId", reason: backupReason });
        required.push({ path: "backupSecretAccessKey", reason: backupReason });
    }
    for (const service of enabledServices(config)) {
        for (const key of SERVICE_CATALOG[service].requiredSecrets) {
            required.push({ path: `services.${service}.${key}`, reason: `services.${service} is enabled` });
        }
    }
    return required;
}

export function secretValue(secrets: ClusterConfig["secrets"], path: string): string | undefined {
    const parts = path.split(".");
    if (parts[0] === "services") {
        return secrets.services[parts[1]]?.[parts[2]];
    }
    return (secrets as Record<string, unknown>)[path] as string | undefined;
}

const PLACEHOLDER = /changeme/i;

export function secretsArePresent(ctx: RuleContext): void {
    for (const { path, reason } of requiredSecrets(ctx.config)) {
        const value = secretValue(ctx.config.secrets, path);
        if (value === undefined || value === "") {
            ctx.error(`secrets.${path}`, `is required because ${reason}; set it with: pulumi config set --secret --path 'secrets.${path}' <value>`);
        } else if (PLACEHOLDER.test(value)) {
            ctx.error(`secrets.${path}`, `still holds the placeholder CHANGEME; ${reason}, so set a real value with pulumi config set --secret`);
        }
    }
    const gitops = ctx.config.gitops;
    if (ctx.config.secrets.gitSshPrivateKey && gitops && gitUrlScheme(gitops.repository.url) === "https") {
        ctx.error("secrets.gitSshPrivateKey", "is only used with an ssh gitops.repository.url; this one is https");
    }
}

/**
 * Secret values for a service that does not exist or is not enabled would never reach anything: the
 * person meant another service, or forgot to enable it. Either way they are told, by name only.
 */
export function secretsBelongToEnabledServices(ctx: RuleContext): void {
    const enabled = new Set(enabledServices(ctx.config));
    for (const service of Object.keys(ctx.config.secrets.services).sort()) {
        const path = `secrets.services.${service}`;
        if (!Object.hasOwn(SERVICE_CATALOG, service)) {
            ctx.error(path, `is not a known service; allowed: ${SERVICE_NAMES.join(", ")}`);
        } else if (!enabled.has(service)) {
            ctx.error(path, `holds secret values, but services.${service} is not enabled${ctx.config.gitops ? "" : " (there is no gitops section)"}; enable it, or remove them: pulumi config rm --path '${path}'`);
        }
    }
}
