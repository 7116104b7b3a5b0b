/**
 * Where pods live in the objects Kyverno's pod rules reach: Pods and the pod templates of
 * Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs; their containers,
 * initContainers and ephemeralContainers.
 */
import type { KubeObject } from "./types";

export const POD_CONTROLLERS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;

export interface PodSpecAt {
    readonly spec: any;
    readonly path: string;
    readonly metadata: { annotations?: Record<string, string>; labels?: Record<string, string> };
    readonly metadataPath: string;
}

export function podSpecOf(object: KubeObject): PodSpecAt | undefined {
    switch (object.kind) {
        case "Pod":
            return object.spec ? { spec: object.spec, path: "spec", metadata: object.metadata ?? {}, metadataPath: "metadata" } : undefined;
        case "CronJob": {
            const template = object.spec?.jobTemplate?.spec?.template;
            return template?.spec ? { spec: template.spec, path: "spec.jobTemplate.spec.template.spec", metadata: template.metadata ?? {}, metadataPath: "spec.jobTemplate.spec.template.metadata" } : undefined;
        }
        case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job": {
            const template = object.spec?.template;
            return template?.spec ? { spec: template.spec, path: "spec.template.spec", metadata: template.metadata ?? {}, metadataPath: "spec.template.metadata" } : undefined;
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

/** Runs a check over each pod-bearing object; other kinds pass. */
export function forPod(object: KubeObject, check: (pod: PodSpecAt) => { field: string; message: string }[]): { field: string; message: string }[] {
    const pod = podSpecOf(object);
    return pod ? check(pod) : [];
}
