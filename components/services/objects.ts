/**
 * Per enabled platform service, as openCenter wires it (reference §4.2, gitops-base
 * docs/how-to/helm-service-onboarding.md): a GitRepository on the gitops-base repository pinned to a
 * release tag; one Kustomization per stage, each depending on the stage before and on the services the
 * stage needs; a `<svc>-override` Kustomization for the cluster's own manifests of that service in the
 * GitOps repository; and, for cloud controllers gitops-base does not ship, a HelmRepository and a
 * HelmRelease of the official chart. Pure builders, validated against the strict CRD schemas in tests.
 */
import { stringify } from "yaml";
import type { ClusterSpec, ResolvedService } from "../../spec";
import { SERVICE_CATALOG, SHARED_STAGES, readyStage, type ChartService, type GitopsBaseService, type HelmValuesTarget, type ServiceStage } from "../../spec/catalog";
import { cloudServiceValues, mergeValues, PROGRAM_VALUES_SERVICES, providerDefaultStorageClass, SERVICE_DEFAULT_STORAGE_CLASSES } from "../../spec/cloud";
import { FLUX_NAMESPACE, gitRepository, kustomization, WAIT_FOR_READY, type FluxObject } from "../flux/objects";

export const sourceName = (source: string) => `opencenter-${source}`;
/** The single-stage name, kept for compatibility with openCenter's `<svc>-base`. */
export const baseName = (service: string) => `${service}-base`;
export const overrideName = (service: string) => `${service}-override`;
/** Source of the shared stages (e.g. the observability namespace and HelmRepository). */
export const SHARED_SOURCE = "opencenter-shared";
/** The root GitRepository (the cluster's own GitOps repository), made by the Flux bootstrap. */
const CLUSTER_SOURCE = "flux-system";

const LABELS = (service: string) => ({ "app.kubernetes.io/part-of": service, "app.kubernetes.io/managed-by": "flux", "opencenter/managed-by": "pulumi-clusters" });

type BaseService = ResolvedService & GitopsBaseService;
type ChartBackedService = ResolvedService & ChartService;

export const isGitopsBase = (service: ResolvedService): service is BaseService => service.origin === "gitops-base";
export const isChart = (service: ResolvedService): service is ChartBackedService => service.origin === "chart";

/** The overlay path of the cluster's own manifests for a service (seed 004: `services/<svc>/`). */
export function overlayServicePath(spec: ClusterSpec, service: string): string {
    return `applications/overlays/${spec.meta.name}/services/${service}`;
}

function stageKustomization(name: string, stage: ServiceStage, source: string, part: string, dependsOn: readonly string[], extra: { annotations?: Record<string, string>; patches?: unknown[] } = {}): FluxObject {
    const object = kustomization(name, {
        path: stage.path,
        source,
        interval: "15m",
        retryInterval: "1m",
        timeout: "10m",
        prune: true,
        wait: stage.healthChecks.length === 0,
        targetNamespace: stage.targetNamespace,
        dependsOn: [...new Set(dependsOn)],
        healthChecks: stage.healthChecks.map(({ apiVersion, kind, name: objectName, namespace }) => ({ apiVersion, kind, name: objectName, namespace })),
        commonLabels: LABELS(part),
        annotations: extra.annotations,
    });
    if (extra.patches?.length) {
        object.spec.patches = extra.patches;
    }
    return object;
}

/** What a stage waits for outside its own service: the last stage of each gitops-base service it needs. */
function neededStages(stage: ServiceStage): string[] {
    return (stage.needs ?? []).map((name) => readyStage(SERVICE_CATALOG[name])).filter((name): name is string => name !== undefined);
}

/**
 * The service's source and its stage Kustomizations, in order. `waitForReady` makes Pulumi wait for the
 * last stage (Velero must be Ready before the backup objects that use its CRDs).
 */
export function serviceObjects(spec: ClusterSpec, service: BaseService, waitForReady = false): FluxObject[] {
    const gitops = spec.gitops!;
    const objects: FluxObject[] = [gitRepository(sourceName(service.name), {
        url: gitops.base.url,
        ref: { tag: service.release },
        interval: "15m",
        secretName: gitops.base.auth === "token" ? "opencenter-base" : undefined,
    })];
    service.stages.forEach((stage, index) => {
        const previous = index === 0 ? service.shared : [service.stages[index - 1].name];
        const last = index === service.stages.length - 1;
        const patch = [
            ...(service.patchValues?.stage === stage.name && Object.keys(service.values).length > 0 ? [customResourcePatch(service)] : []),
            ...notDefaultStorageClassPatch(spec, service.name, stage.name),
        ];
        objects.push(stageKustomization(stage.name, stage, sourceName(service.name), service.name, [...previous, ...neededStages(stage)], {
            annotations: last && waitForReady ? { ...WAIT_FOR_READY } : undefined,
            patches: patch,
        }));
    });
    return objects;
}

/**
 * While the provider's CSI makes the cluster's default StorageClass, a service's own default class (longhorn's
 * `general`) is patched to not be one, so exactly one default exists (spec/cloud.ts SERVICE_DEFAULT_STORAGE_CLASSES).
 */
function notDefaultStorageClassPatch(spec: ClusterSpec, service: string, stage: string): { patch: string; target: Record<string, string> }[] {
    const own = SERVICE_DEFAULT_STORAGE_CLASSES[service];
    if (!own || own.stage !== stage || !providerDefaultStorageClass(spec.infrastructure.provider, spec.enabledServices.map((s) => s.name))) {
        return [];
    }
    return [{
        patch: stringify({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: own.storageClass, annotations: { "storageclass.kubernetes.io/is-default-class": "false" } } }, { sortMapEntries: true }),
        target: { group: "storage.k8s.io", version: "v1", kind: "StorageClass", name: own.storageClass },
    }];
}

/** `services.<svc>.values` of an operator-managed service, as a merge patch on its custom resource. */
function customResourcePatch(service: BaseService): { patch: string; target: Record<string, string> } {
    const { target } = service.patchValues!;
    return {
        patch: stringify({ apiVersion: `${target.group}/${target.version}`, kind: target.kind, metadata: { name: target.name, namespace: target.namespace }, spec: service.values }, { sortMapEntries: true }),
        target: { group: target.group, version: target.version, kind: target.kind, name: target.name, namespace: target.namespace },
    };
}

/** The `<svc>-override` Kustomization: the service's folder in the cluster's GitOps repository, decrypted with SOPS. */
export function overrideKustomization(spec: ClusterSpec, service: BaseService, decryptWith: string): FluxObject {
    return kustomization(overrideName(service.name), {
        path: overlayServicePath(spec, service.name),
        source: CLUSTER_SOURCE,
        interval: "15m",
        retryInterval: "1m",
        timeout: "10m",
        prune: true,
        wait: true,
        dependsOn: [readyStage(service)!],
        decryptWith,
        commonLabels: LABELS(service.name),
    });
}

/** Shared stages the enabled services need, in dependency order, from one source pinned to the base release. */
export function sharedObjects(spec: ClusterSpec): FluxObject[] {
    const needed = new Set(spec.enabledServices.filter(isGitopsBase).flatMap((service) => service.shared));
    if (needed.size === 0) {
        return [];
    }
    const gitops = spec.gitops!;
    const objects: FluxObject[] = [gitRepository(SHARED_SOURCE, {
        url: gitops.base.url, ref: { tag: gitops.base.release }, interval: "15m",
        secretName: gitops.base.auth === "token" ? "opencenter-base" : undefined,
    })];
    for (const name of Object.keys(SHARED_STAGES).filter((stage) => needed.has(stage))) {
        const stage = SHARED_STAGES[name];
        objects.push(stageKustomization(stage.name, stage, SHARED_SOURCE, "platform", stage.after));
    }
    return objects;
}

/** A chart-backed service: its HelmRepository and HelmRelease (values from its override Secret). */
export function chartObjects(spec: ClusterSpec, service: ChartBackedService): FluxObject[] {
    const { chart } = service;
    const minor = Number(spec.kubernetes.version.split(".")[1]);
    const version = typeof chart.version === "function" ? chart.version(minor) : chart.version;
    const values = service.helmValues[0];
    return [
        {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "HelmRepository",
            metadata: { name: chart.helmRelease, namespace: service.namespace, labels: LABELS(service.name) },
            spec: { interval: "1h", url: chart.repository },
        },
        {
            apiVersion: "helm.toolkit.fluxcd.io/v2",
            kind: "HelmRelease",
            metadata: { name: chart.helmRelease, namespace: service.namespace, labels: LABELS(service.name) },
            spec: {
                releaseName: chart.helmRelease,
                interval: "5m",
                timeout: "10m",
                driftDetection: { mode: "enabled" },
                install: { remediation: { retries: 3, remediateLastFailure: true } },
                upgrade: { remediation: { retries: 0, remediateLastFailure: false } },
                targetNamespace: service.namespace,
                chart: { spec: { chart: chart.chart, version, sourceRef: { kind: "HelmRepository", name: chart.helmRelease, namespace: service.namespace } } },
                valuesFrom: [{ kind: "Secret", name: values.secret, valuesKey: "override.yaml" }],
            },
        },
    ];
}

/** Helm values for one override Secret: cloud wiring, then the stack's values, secret values at their catalog paths. */
export function valuesOverride(spec: Pick<ClusterSpec, "meta" | "infrastructure">, service: ResolvedService, target: HelmValuesTarget, secretValues: Readonly<Record<string, string>>): Record<string, unknown> {
    const own = (target.valuesKey ? service.values[target.valuesKey] ?? {} : service.values) as Record<string, unknown>;
    const cloud = cloudServiceValues(spec, service.name, secretValues);
    const values = mergeValues(cloud ?? {}, own);
    if (cloud) {
        return values;
    }
    for (const [key, value] of Object.entries(secretValues).sort(([a], [b]) => a.localeCompare(b))) {
        const path = (service.secretValuePaths?.[key] ?? `secrets.${key}`).split(".");
        let at = values;
        for (const part of path.slice(0, -1)) {
            at[part] = typeof at[part] === "object" && at[part] !== null ? at[part] : {};
            at = at[part] as Record<string, unknown>;
        }
        at[path[path.length - 1]] = value;
    }
    return values;
}

/** Whether an override Secret is needed: there are values, secret values or cloud wiring for it. */
export function needsValuesSecret(service: ResolvedService, target: HelmValuesTarget): boolean {
    const own = target.valuesKey ? service.values[target.valuesKey] : service.values;
    return service.origin === "chart" || PROGRAM_VALUES_SERVICES.has(service.name)
        || (own !== undefined && Object.keys(own as object).length > 0) || service.secretKeys.length > 0;
}

export { FLUX_NAMESPACE };
