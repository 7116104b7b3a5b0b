/** GitOps repository, services and their dependencies. */
import { SERVICE_CATALOG, SERVICE_NAMES, isEnabledByDefault } from "../catalog";
import { gitUrlScheme } from "../formats";
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

/** Whether each catalog service is on for this stack: explicit setting, else the catalog default. */
export function enabledServices(config: ClusterConfig): string[] {
    if (!config.gitops) {
        return [];
    }
    return SERVICE_NAMES.filter((name) => config.services[name]?.enabled ?? isEnabledByDefault(SERVICE_CATALOG[name], config.infrastructure.provider));
}

export function servicesAreKnownAndComplete(ctx: RuleContext): void {
    const { services, gitops } = ctx.config;
    for (const name of Object.keys(services).sort()) {
        if (!SERVICE_CATALOG[name]) {
            ctx.error(`services.${name}`, `is not a known service; allowed: ${SERVICE_NAMES.join(", ")}`);
        } else if (!gitops && services[name].enabled) {
            ctx.error(`services.${name}.enabled`, "needs a gitops section: services are delivered by Flux from the GitOps repository");
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
    if (ctx.config.backup.enabled) {
        if (!ctx.config.backup.storage) {
            ctx.error("backup.storage", "is required when backup.enabled is true ({bucket, region, s3Url})");
        }
        if (!enabled.has("velero")) {
            ctx.error("services.velero.enabled", "must not be false while backup.enabled is true (Velero takes the backups)");
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
