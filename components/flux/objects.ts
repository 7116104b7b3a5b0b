/**
 * Flux objects as plain data (pure builders, validated against the strict CRD schemas in tests):
 * sources, Kustomizations and the Flux Operator's FluxInstance.
 */
import type { K8sObject } from "../k8s-object";

export interface FluxObject extends K8sObject {
    spec: Record<string, unknown>;
}

export const FLUX_NAMESPACE = "flux-system";

/** Pulumi waits for this condition before anything that depends on the object is created. */
export const WAIT_FOR_READY = { "pulumi.com/waitFor": "condition=Ready" };

export function gitRepository(name: string, args: {
    url: string; ref: { tag?: string; branch?: string; semver?: string }; interval: string; secretName?: string; labels?: Record<string, string>;
}): FluxObject {
    return {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name, namespace: FLUX_NAMESPACE, ...(args.labels ? { labels: args.labels } : {}) },
        spec: {
            interval: args.interval,
            url: args.url,
            ref: args.ref,
            ...(args.secretName ? { secretRef: { name: args.secretName } } : {}),
        },
    };
}

export interface KustomizationArgs {
    readonly path: string;
    readonly source: string;
    readonly interval: string;
    readonly prune: boolean;
    readonly wait?: boolean;
    readonly timeout?: string;
    readonly retryInterval?: string;
    /** Namespace for the path's objects that name none. */
    readonly targetNamespace?: string;
    readonly dependsOn?: readonly string[];
    readonly healthChecks?: readonly { apiVersion: string; kind: string; name: string; namespace: string }[];
    readonly decryptWith?: string;
    readonly labels?: Record<string, string>;
    readonly commonLabels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
}

export function kustomization(name: string, args: KustomizationArgs): FluxObject {
    return {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: {
            name, namespace: FLUX_NAMESPACE,
            ...(args.labels ? { labels: args.labels } : {}),
            ...(args.annotations ? { annotations: args.annotations } : {}),
        },
        spec: {
            interval: args.interval,
            path: args.path.startsWith("./") ? args.path : `./${args.path}`,
            prune: args.prune,
            sourceRef: { kind: "GitRepository", name: args.source },
            ...(args.wait !== undefined ? { wait: args.wait } : {}),
            ...(args.timeout ? { timeout: args.timeout } : {}),
            ...(args.retryInterval ? { retryInterval: args.retryInterval } : {}),
            ...(args.targetNamespace ? { targetNamespace: args.targetNamespace } : {}),
            ...(args.dependsOn?.length ? { dependsOn: args.dependsOn.map((dependency) => ({ name: dependency })) } : {}),
            ...(args.healthChecks?.length ? { healthChecks: args.healthChecks } : {}),
            ...(args.decryptWith ? { decryption: { provider: "sops", secretRef: { name: args.decryptWith } } } : {}),
            ...(args.commonLabels ? { commonMetadata: { labels: args.commonLabels } } : {}),
        },
    };
}

/**
 * The Flux Operator's FluxInstance: which Flux to install and how. One per cluster, named "flux".
 * `tolerations` are added to every controller (a Kustomize patch, fluxoperator.dev "Flux Instance
 * Customization"): with an external cloud controller the nodes stay tainted uninitialized until Flux has
 * installed that controller, so Flux must run on them first.
 */
export function fluxInstance(version: string, clusterDomain: string, tolerations: readonly Record<string, string>[] = []): FluxObject {
    return {
        apiVersion: "fluxcd.controlplane.io/v1",
        kind: "FluxInstance",
        metadata: { name: "flux", namespace: FLUX_NAMESPACE, annotations: { ...WAIT_FOR_READY } },
        spec: {
            distribution: { version, registry: "ghcr.io/fluxcd" },
            components: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
            cluster: { type: "kubernetes", networkPolicy: true, domain: clusterDomain },
            ...(tolerations.length ? {
                kustomize: {
                    patches: [{
                        target: { kind: "Deployment" },
                        patch: JSON.stringify([{ op: "add", path: "/spec/template/spec/tolerations", value: tolerations }]),
                    }],
                },
            } : {}),
        },
    };
}
