/**
 * The Kubernetes objects the Harvester Terraform provider would create, as plain data (pure
 * functions, so tests validate them against the strict CRD schemas): VM image, cluster network and
 * VLAN config, VM network (NetworkAttachmentDefinition), per-node cloud-init Secret and KubeVirt
 * VirtualMachine, and the optional load balancer with its IP pool.
 */
import { nodeResources, type ClusterSpec, type PlannedNode } from "../../spec";
import { renderNetworkData } from "../cloudinit";

export const LABEL_PREFIX = "clusters.pulumi.io";

export type { K8sObject } from "../k8s-object";
import type { K8sObject } from "../k8s-object";

const harvester = (spec: ClusterSpec) => spec.infrastructure.harvester!;

export function imageObject(spec: ClusterSpec): K8sObject | undefined {
    const image = harvester(spec).image;
    if (!image.url) {
        return undefined;
    }
    return {
        apiVersion: "harvesterhci.io/v1beta1",
        kind: "VirtualMachineImage",
        metadata: {
            name: image.name,
            namespace: harvester(spec).namespace,
            annotations: image.storageClass ? { "harvesterhci.io/storageClassName": image.storageClass } : undefined,
        } as K8sObject["metadata"],
        spec: { displayName: image.name, sourceType: "download", url: image.url },
    };
}

export function clusterNetworkObjects(spec: ClusterSpec): K8sObject[] {
    const network = harvester(spec).network;
    if (!network.create) {
        return [];
    }
    return [
        { apiVersion: "network.harvesterhci.io/v1beta1", kind: "ClusterNetwork", metadata: { name: network.clusterNetwork } },
        {
            apiVersion: "network.harvesterhci.io/v1beta1",
            kind: "VlanConfig",
            metadata: { name: `${network.clusterNetwork}-uplink` },
            spec: {
                clusterNetwork: network.clusterNetwork,
                uplink: { nics: [...network.create.uplinkNics], linkAttributes: { mtu: network.create.mtu }, bondOptions: { mode: "active-backup", miimon: 100 } },
            },
        },
    ];
}

export function vmNetworkObject(spec: ClusterSpec): K8sObject {
    const network = harvester(spec).network;
    const vlan = spec.infrastructure.network.vlan;
    const config = {
        cniVersion: "0.3.1", name: network.name, type: "bridge", bridge: `${network.clusterNetwork}-br`, promiscMode: true,
        ...(vlan !== undefined ? { vlan } : {}), ipam: {},
    };
    return {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: {
            name: network.name,
            namespace: harvester(spec).namespace,
            labels: {
                "network.harvesterhci.io/clusternetwork": network.clusterNetwork,
                "network.harvesterhci.io/type": vlan !== undefined ? "L2VlanNetwork" : "UntaggedNetwork",
                ...(vlan !== undefined ? { "network.harvesterhci.io/vlan-id": String(vlan) } : {}),
            },
            annotations: {
                "network.harvesterhci.io/route": JSON.stringify({ mode: "manual", serverIPAddr: "", cidr: spec.infrastructure.network.subnet, gateway: spec.infrastructure.network.gateway }),
            },
        },
        spec: { config: JSON.stringify(config) },
    };
}

export function cloudInitSecretName(node: PlannedNode): string {
    return `${node.name}-cloudinit`;
}

/** Network data for the node (static address); user data is added by the component (it holds Outputs). */
export function networkData(spec: ClusterSpec, node: PlannedNode): string {
    return renderNetworkData(spec, node.address, "enp*");
}

/** Labels that identify a node's VM: cluster, role, pool and its replacement generation. */
export function vmLabels(spec: ClusterSpec, node: PlannedNode): Record<string, string> {
    return {
        [`${LABEL_PREFIX}/cluster`]: spec.meta.name,
        [`${LABEL_PREFIX}/role`]: node.role,
        [`${LABEL_PREFIX}/pool`]: node.pool,
        [`${LABEL_PREFIX}/generation`]: String(node.generation),
    };
}

/** Control-plane VMs must sit on different Harvester hosts; pools spread as they ask. */
function affinity(spec: ClusterSpec, node: PlannedNode): Record<string, unknown> | undefined {
    const mode = node.role === "control-plane" ? "hard" : node.antiAffinity;
    if (mode === "none") {
        return undefined;
    }
    const term = {
        topologyKey: "kubernetes.io/hostname",
        labelSelector: { matchLabels: { [`${LABEL_PREFIX}/cluster`]: spec.meta.name, [`${LABEL_PREFIX}/pool`]: node.pool } },
    };
    return {
        podAntiAffinity: mode === "hard"
            ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
            : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };
}

export function virtualMachineObject(spec: ClusterSpec, node: PlannedNode): K8sObject {
    const h = harvester(spec);
    const size = nodeResources(spec, node);
    const namespace = h.namespace;
    const rootDisk = `${node.name}-rootdisk`;
    const volumeClaim = (name: string, sizeGiB: number, image?: string) => ({
        metadata: { name, annotations: image ? { "harvesterhci.io/imageId": `${namespace}/${image}` } : {} },
        spec: {
            accessModes: ["ReadWriteMany"],
            resources: { requests: { storage: `${sizeGiB}Gi` } },
            volumeMode: "Block",
            // Harvester backs each image with its own class, longhorn-<image>; disks made from it must use it.
            storageClassName: image ? `longhorn-${image}` : (h.image.storageClass ?? "harvester-longhorn"),
        },
    });
    const dataClaims = node.dataVolumes.map((volume) => volumeClaim(`${node.name}-${volume.name}`, volume.sizeGiB));
    const labels = vmLabels(spec, node);
    return {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: {
            name: node.name,
            namespace,
            labels: { ...labels, "harvesterhci.io/creator": "pulumi-clusters", "tag.harvesterhci.io/ssh-user": spec.infrastructure.ssh.user },
            annotations: { "harvesterhci.io/volumeClaimTemplates": JSON.stringify([volumeClaim(rootDisk, size.diskGiB, h.image.name), ...dataClaims]) },
        },
        spec: {
            runStrategy: "RerunOnFailure",
            template: {
                metadata: { labels: { ...labels, "harvesterhci.io/vmName": node.name } },
                spec: {
                    evictionStrategy: "LiveMigrateIfPossible",
                    hostname: node.name,
                    affinity: affinity(spec, node),
                    domain: {
                        cpu: { cores: size.cpus, sockets: 1, threads: 1 },
                        resources: { limits: { cpu: String(size.cpus), memory: `${size.memoryGiB}Gi` } },
                        devices: {
                            disks: [
                                { name: "rootdisk", bootOrder: 1, disk: { bus: "virtio" } },
                                ...node.dataVolumes.map((volume) => ({ name: volume.name, disk: { bus: "virtio" } })),
                                { name: "cloudinitdisk", disk: { bus: "virtio" } },
                            ],
                            interfaces: [{ name: "nic-1", model: "virtio", bridge: {} }],
                        },
                    },
                    networks: [{ name: "nic-1", multus: { networkName: `${namespace}/${h.network.name}` } }],
                    volumes: [
                        { name: "rootdisk", persistentVolumeClaim: { claimName: rootDisk } },
                        ...node.dataVolumes.map((volume) => ({ name: volume.name, persistentVolumeClaim: { claimName: `${node.name}-${volume.name}` } })),
                        { name: "cloudinitdisk", cloudInitNoCloud: { secretRef: { name: cloudInitSecretName(node) }, networkDataSecretRef: { name: cloudInitSecretName(node) } } },
                    ],
                },
            },
        },
    };
}

export function loadBalancerObjects(spec: ClusterSpec): K8sObject[] {
    const h = harvester(spec);
    if (spec.infrastructure.apiEndpoint.type !== "loadbalancer" || !h.loadBalancerPool) {
        return [];
    }
    const name = `${spec.meta.name}-api`;
    const port = spec.kubernetes.apiPort;
    return [
        {
            apiVersion: "loadbalancer.harvesterhci.io/v1beta1",
            kind: "IPPool",
            metadata: { name },
            spec: {
                ranges: [{ subnet: spec.infrastructure.network.subnet, rangeStart: h.loadBalancerPool.from, rangeEnd: h.loadBalancerPool.to, gateway: spec.infrastructure.network.gateway }],
                selector: { priority: 0, network: `${h.namespace}/${h.network.name}`, scope: [{ project: "*", namespace: h.namespace, guestCluster: "*" }] },
            },
        },
        {
            apiVersion: "loadbalancer.harvesterhci.io/v1beta1",
            kind: "LoadBalancer",
            metadata: { name, namespace: h.namespace },
            spec: {
                workloadType: "vm",
                ipam: "pool",
                ipPool: name,
                listeners: [{ name: "kube-api", port, protocol: "TCP", backendPort: port }],
                backendServerSelector: { [`${LABEL_PREFIX}/cluster`]: [spec.meta.name], [`${LABEL_PREFIX}/role`]: ["control-plane"] },
                healthCheck: { port, successThreshold: 1, failureThreshold: 3, periodSeconds: 5, timeoutSeconds: 3 },
            },
        },
    ];
}
