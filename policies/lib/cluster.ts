/** Reading what this program registered: the Kubespray cluster command's state, machines by role. */
import type { PlainResource } from "./types";

export const WORLD_MARKER = "open to the world: infrastructure.network.allowedCidrs";

export interface ClusterCommandState {
    kind: "cluster";
    kubesprayVersion: string;
    kubernetesVersion: string;
    controlPlane: { name: string; address: string }[];
    environment: string;
    provider: string;
    networks: { nodes: string; pods: string; services: string };
    apiEndpoint: "kube-vip" | "loadbalancer";
}

export function isCommand(resource: PlainResource, operation: string): boolean {
    return resource.type === "command:local:Command" && String(resource.props.create ?? "").endsWith(` ${operation}`);
}

export function clusterState(resource: PlainResource): ClusterCommandState | undefined {
    if (!isCommand(resource, "cluster")) return undefined;
    try {
        const state = JSON.parse(resource.props.environment?.KUBESPRAY_DESIRED ?? "");
        return state?.kind === "cluster" ? state : undefined;
    } catch {
        return undefined;
    }
}

/** The cluster command's state among a stack's resources, when the stack has one. */
export function findClusterState(resources: readonly PlainResource[]): ClusterCommandState | undefined {
    for (const resource of resources) {
        const state = clusterState(resource);
        if (state) return state;
    }
    return undefined;
}

/** Machines registered for control-plane nodes, whichever provider made them. */
export function controlPlaneMachines(resources: readonly PlainResource[]): PlainResource[] {
    return resources.filter((r) =>
        (r.type === "openstack:compute/instance:Instance" && r.props.metadata?.role === "control-plane")
        || (r.type === "vsphere:index/virtualMachine:VirtualMachine" && /(^|\n)role=control-plane(\n|$)/.test(String(r.props.annotation ?? "")))
        || (r.type === "kubernetes:kubevirt.io/v1:VirtualMachine" && r.props.metadata?.labels?.["clusters.pulumi.io/role"] === "control-plane"));
}

export function isExactVersion(version: unknown): boolean {
    return typeof version === "string" && /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version);
}
