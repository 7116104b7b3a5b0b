/**
 * Where pods live in the objects Kyverno's pod rules reach, and which kinds those are.
 *
 * A Kyverno rule written for `Pod` also covers the pod controllers through autogen: by default
 * DaemonSet, Deployment, Job, StatefulSet, ReplicaSet, ReplicationController and CronJob
 * (kyverno/kyverno pkg/autogen `PodControllers`), or the ones the policy's
 * `pod-policies.kyverno.io/autogen-controllers` annotation names ("none": Pods only). The rule is
 * rewritten to the pod template: `spec` becomes `spec.template.spec` (CronJob:
 * `spec.jobTemplate.spec.template.spec`) and `metadata` the template's metadata.
 *
 * openCenter's Kyverno (gitops-base `kyverno/policy-engine/helm-values/values-3.6.0.yaml`) then
 * filters out, for every policy, the kinds and namespaces in `config.resourceFilters`
 * (the ReplicaSet kind; the kube-system, kube-public and kube-node-lease namespaces) and the
 * namespace Kyverno runs in (`excludeKyvernoNamespace: true`, HelmRelease `targetNamespace: kyverno`).
 * The kinds are here; the namespaces are the engine's default exemptions.
 */
import type { KubeObject } from "./types";

/** Kyverno's default autogen controllers. */
export const KYVERNO_AUTOGEN_CONTROLLERS = ["DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController", "CronJob"] as const;

/** Kinds openCenter's Kyverno never evaluates (`config.resourceFilters`). */
export const KYVERNO_FILTERED_KINDS: readonly string[] = ["ReplicaSet"];

/** The kinds a Kyverno Pod rule reaches with the given autogen controllers, after openCenter's filters. */
export function podRuleKinds(autogen: readonly string[] = KYVERNO_AUTOGEN_CONTROLLERS): string[] {
    return ["Pod", ...autogen].filter((kind) => !KYVERNO_FILTERED_KINDS.includes(kind));
}

/** Every kind a pod spec can be found in (what podSpecOf reads). */
export const POD_KINDS = ["Pod", ...KYVERNO_AUTOGEN_CONTROLLERS] as const;

export interface PodSpecAt {
    readonly spec: any;
    readonly path: string;
    readonly metadata: { annotations?: Record<string, unknown>; labels?: Record<string, unknown> };
    readonly metadataPath: string;
}

export function podSpecOf(object: KubeObject): PodSpecAt | undefined {
    const plain = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
    switch (object.kind) {
        case "Pod":
            return plain(object.spec) ? { spec: object.spec, path: "spec", metadata: object.metadata ?? {}, metadataPath: "metadata" } : undefined;
        case "CronJob": {
            const template = object.spec?.jobTemplate?.spec?.template;
            return plain(template?.spec) ? { spec: template.spec, path: "spec.jobTemplate.spec.template.spec", metadata: template.metadata ?? {}, metadataPath: "spec.jobTemplate.spec.template.metadata" } : undefined;
        }
        case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "ReplicationController": case "Job": {
            const template = object.spec?.template;
            return plain(template?.spec) ? { spec: template.spec, path: "spec.template.spec", metadata: template.metadata ?? {}, metadataPath: "spec.template.metadata" } : undefined;
        }
        default:
            return undefined;
    }
}

export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";
export const CONTAINER_LISTS: readonly ContainerList[] = ["containers", "initContainers", "ephemeralContainers"];

export interface ContainerAt {
    readonly container: any;
    readonly path: string;
    readonly list: ContainerList;
}

export function containersOf(pod: PodSpecAt, lists: readonly ContainerList[] = CONTAINER_LISTS): ContainerAt[] {
    return lists.flatMap((list) => (Array.isArray(pod.spec[list]) ? pod.spec[list] : [])
        .map((container: any, i: number) => ({ container: container ?? {}, path: `${pod.path}.${list}[${i}]`, list })));
}

/** A container's securityContext when it is a map (Kyverno walks no further into anything else). */
export function securityContextOf(container: any): any {
    return typeof container?.securityContext === "object" && container.securityContext !== null ? container.securityContext : undefined;
}

/** Runs a check over each pod-bearing object; other kinds pass. */
export function forPod<T>(object: KubeObject, check: (pod: PodSpecAt) => T[]): T[] {
    const pod = podSpecOf(object);
    return pod ? check(pod) : [];
}
