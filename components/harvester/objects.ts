/**
 * The Kubernetes objects the Harvester Terraform provider would create, as plain data (pure
 * functions, so tests validate them against the strict CRD schemas): VM image, cluster network and
 * VLAN config, VM network (NetworkAttachmentDefinition), per-node cloud-init Secret and KubeVirt
 * VirtualMachine, and the optional load balancer with its IP pool.
 */
import { createHash } from "crypto";
import { nodeResources, type ClusterSpec, type PlannedNode } from "../../spec";
import { renderNetworkData } from "../cloudinit";
import { identityHash, machineIdentity } from "../machine-identity";

export const LABEL_PREFIX = "clusters.pulumi.io";

export type { K8sObject } from "../k8s-object";
import type { K8sObject } from "../k8s-object";

const harvester = (spec: ClusterSpec) => spec.infrastructure.harvester!;

/**
 * The name of the VirtualMachineImage the nodes boot from. An image the program downloads (`url` given) is
 * named after its URL too, `<name>-<8 hex of sha256(url)>`, because Harvester's webhook refuses to change
 * an image's URL ("url cannot be modified": harvester/harvester pkg/webhook/resources/virtualmachineimage/
 * validator.go, Update) and refuses a second image with the same display name in a namespace
 * (CheckImageDisplayNameAndURL): a new URL is a new image with its own name and display name, and, being
 * in the machines' identity (machine-identity.ts), replaces every node through its gate. An image given by
 * name alone is used as is.
 */
export function imageObjectName(spec: ClusterSpec): string {
    const image = harvester(spec).image;
    if (!image.url) {
        return image.name;
    }
    // 54 + 1 + 8 characters: still a DNS label (the display name becomes a label value, at most 63).
    return `${image.name.slice(0, 54)}-${createHash("sha256").update(image.url).digest("hex").slice(0, 8)}`;
}

/**
 * The image the program downloads, if `url` is given. Never deleted by Pulumi (`retainOnDelete`, set by
 * the component): Harvester refuses to delete an image while any volume uses its storage class (validator.go
 * Delete), which the old image's volumes do until the last node made from it is replaced. Delete an old
 * image by hand once no volume uses it (README, Day 2).
 */
export function imageObject(spec: ClusterSpec): K8sObject | undefined {
    const image = harvester(spec).image;
    if (!image.url) {
        return undefined;
    }
    const name = imageObjectName(spec);
    return {
        apiVersion: "harvesterhci.io/v1beta1",
        kind: "VirtualMachineImage",
        metadata: {
            name,
            namespace: harvester(spec).namespace,
            annotations: image.storageClass ? { "harvesterhci.io/storageClassName": image.storageClass } : undefined,
        } as K8sObject["metadata"],
        spec: { displayName: name, sourceType: "download", url: image.url },
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

/**
 * Names of a node's disks (PersistentVolumeClaims). They carry the node's identity hash: a replaced VM
 * always gets fresh disks from the image, even while the old claims are still being deleted (Harvester
 * creates a VM's claims from its volumeClaimTemplates annotation only when no claim of that name
 * exists: harvester/harvester pkg/controller/master/virtualmachine/vm_controller.go, createPVCsFromAnnotation).
 */
export function diskClaimNames(spec: ClusterSpec, node: PlannedNode): { rootDisk: string; dataVolumes: Record<string, string> } {
    const suffix = identityHash(machineIdentity(spec, node).replace).slice(0, 8);
    return {
        rootDisk: `${node.name}-rootdisk-${suffix}`,
        dataVolumes: Object.fromEntries(node.dataVolumes.map((volume) => [volume.name, `${node.name}-${volume.name}-${suffix}`])),
    };
}

/**
 * The KubeVirt VirtualMachine of a node, as the Harvester UI and Terraform provider make it:
 * - disks are claims Harvester creates from the `harvesterhci.io/volumeClaimTemplates` annotation, and
 *   deletes with the VM because `harvesterhci.io/removedPersistentVolumeClaims` lists them (Harvester's
 *   VM controller removes the listed claims when the VM is deleted: vm_controller.go,
 *   removePVCInRemovedPVCsAnnotation); a replaced or removed node leaves no disk behind;
 * - `runStrategy: Always`: KubeVirt starts a new VM instance whenever the current one stops, including
 *   a shutdown from inside the guest (kubevirt/user-guide docs/compute/run_strategies.md; with
 *   `RerunOnFailure` a guest shutdown stays stopped). KubeVirt applies CPU and memory changes only to a
 *   new instance, so the Kubespray gate's power-off from the guest is what applies them, and nothing else
 *   restarts the VM.
 */
export function virtualMachineObject(spec: ClusterSpec, node: PlannedNode): K8sObject {
    const h = harvester(spec);
    const size = nodeResources(spec, node);
    const namespace = h.namespace;
    const claims = diskClaimNames(spec, node);
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
    const dataClaims = node.dataVolumes.map((volume) => volumeClaim(claims.dataVolumes[volume.name], volume.sizeGiB));
    const labels = vmLabels(spec, node);
    return {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: {
            name: node.name,
            namespace,
            labels: { ...labels, "harvesterhci.io/creator": "pulumi-clusters", "tag.harvesterhci.io/ssh-user": spec.infrastructure.ssh.user },
            annotations: {
                "harvesterhci.io/volumeClaimTemplates": JSON.stringify([volumeClaim(claims.rootDisk, size.diskGiB, imageObjectName(spec)), ...dataClaims]),
                "harvesterhci.io/removedPersistentVolumeClaims": [claims.rootDisk, ...node.dataVolumes.map((volume) => claims.dataVolumes[volume.name])].join(","),
            },
        },
        spec: {
            runStrategy: "Always",
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
                        { name: "rootdisk", persistentVolumeClaim: { claimName: claims.rootDisk } },
                        ...node.dataVolumes.map((volume) => ({ name: volume.name, persistentVolumeClaim: { claimName: claims.dataVolumes[volume.name] } })),
                        { name: "cloudinitdisk", cloudInitNoCloud: { secretRef: { name: cloudInitSecretName(node) }, networkDataSecretRef: { name: cloudInitSecretName(node) } } },
                    ],
                },
            },
        },
    };
}

/**
 * The API load balancer and the IP pool it takes its address from. The pool holds exactly `apiVip`
 * (rangeStart = rangeEnd), so the load balancer's address is the one Kubespray, the certificates and
 * the kubeconfig use: Harvester's load balancer takes the next free address of its pool
 * (harvester/load-balancer-harvester pkg/ipam/allocator.go: a CNI host-local allocator over the pool's
 * ranges, the gateway excluded) and has no field to ask for a given address. A pool of its own also
 * keeps the VIP out of reach of any other load balancer: Harvester refuses overlapping pools
 * (pkg/webhook/ippool/validator.go, checkRange).
 */
export function loadBalancerObjects(spec: ClusterSpec): K8sObject[] {
    const h = harvester(spec);
    const vip = spec.infrastructure.network.apiVip;
    if (spec.infrastructure.apiEndpoint.type !== "loadbalancer" || !vip) {
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
                description: `Kubernetes API address of ${spec.meta.name} (exactly infrastructure.network.apiVip)`,
                ranges: [{ subnet: spec.infrastructure.network.subnet, rangeStart: vip, rangeEnd: vip, gateway: spec.infrastructure.network.gateway }],
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
