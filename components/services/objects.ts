/**
 * Per enabled platform service, as openCenter wires it (reference §4.2): a GitRepository on the
 * gitops-base repository pinned to a release tag, and a `<svc>-base` Kustomization with prune, wait,
 * timeout, retry interval, health checks and a `dependsOn` chain that follows the catalog.
 */
import type { ClusterSpec, ResolvedService } from "../../spec";
import { gitRepository, kustomization, WAIT_FOR_READY, type FluxObject } from "../flux/objects";

export const sourceName = (service: string) => `opencenter-${service}`;
export const baseName = (service: string) => `${service}-base`;
export const valuesSecretName = (service: string) => `${service}-values-override`;

const LABELS = (service: string) => ({ "app.kubernetes.io/part-of": service, "app.kubernetes.io/managed-by": "flux", "opencenter/managed-by": "pulumi-clusters" });

export function serviceObjects(spec: ClusterSpec, service: ResolvedService, waitForReady = false): FluxObject[] {
    const gitops = spec.gitops!;
    return [
        gitRepository(sourceName(service.name), {
            url: gitops.base.url,
            ref: { tag: service.release },
            interval: "15m",
            secretName: gitops.base.auth === "token" ? "opencenter-base" : undefined,
        }),
        kustomization(baseName(service.name), {
            path: service.path,
            source: sourceName(service.name),
            interval: "15m",
            retryInterval: "1m",
            timeout: "10m",
            prune: true,
            wait: true,
            dependsOn: service.dependsOn.map(baseName),
            healthChecks: service.helmRelease ? [{ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", name: service.helmRelease, namespace: service.namespace }] : [],
            commonLabels: LABELS(service.name),
            annotations: waitForReady ? { ...WAIT_FOR_READY } : undefined,
        }),
    ];
}

/** Helm values override for a service: plain values with secret values placed at their catalog paths. */
export function valuesOverride(service: ResolvedService, secretValues: Readonly<Record<string, string>>): Record<string, unknown> {
    const values = structuredClone(service.values) as Record<string, unknown>;
    for (const [key, value] of Object.entries(secretValues).sort(([a], [b]) => a.localeCompare(b))) {
        const path = (service.secretValuePaths?.[key] ?? `secrets.${key}`).split(".");
        let target = values;
        for (const part of path.slice(0, -1)) {
            target[part] = typeof target[part] === "object" && target[part] !== null ? target[part] : {};
            target = target[part] as Record<string, unknown>;
        }
        target[path[path.length - 1]] = value;
    }
    return values;
}
