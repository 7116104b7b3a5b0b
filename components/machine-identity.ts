/**
 * What a node's machine is, split by what a change of it does to the machine. This is the contract
 * between the infrastructure components (which make the machines) and the Kubespray component (which
 * drains, removes, rejoins and uncordons around them):
 *
 * - `replace`: every value whose change makes the provider recreate the machine. A change here is a
 *   planned replacement: drain → remove from the cluster → recreate (same name and address) → rejoin
 *   → Ready → uncordon. Each provider derives *every* replacement-forcing input of its machine
 *   resources from these values (or pins or ignores it), so nothing else can replace a machine.
 * - `restart`: values the provider changes in place but that restart the machine (a flavor resize, CPU
 *   or memory): drain → change → restart when the provider does not → wait Ready → uncordon.
 *
 * Pure (spec in, plain values out), so the same function feeds the Kubespray commands' state, the
 * providers' replacement triggers and the tests.
 */
import { createHash } from "crypto";
import { nodeResources, type ClusterSpec, type PlannedNode } from "../spec";
import { availabilityZone, networkIdentity, serverGroupPolicy } from "./openstack/placement";

export interface MachineIdentity {
    readonly replace: Readonly<Record<string, unknown>>;
    readonly restart: Readonly<Record<string, unknown>>;
    /**
     * Who applies a `restart` change: the provider itself (OpenStack resize, vSphere power cycle), or a
     * power-off from inside the guest that the platform turns into a fresh boot with the new shape
     * (KubeVirt on Harvester applies a VM's new spec only to a new VM instance).
     */
    readonly restartAppliedBy: "provider" | "guest-poweroff";
}

function sortedJson(value: unknown): string {
    return JSON.stringify(value, (_key, inner) => (inner && typeof inner === "object" && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner));
}

/** Short, stable digest of a value (key order does not matter). */
export function identityHash(value: unknown): string {
    return createHash("sha256").update(sortedJson(value)).digest("hex").slice(0, 16);
}

/**
 * The identity of a node's machine. Each provider derives every replacement-forcing input of its
 * machine resources from `replace` (or pins it in the node's pins Stash, or leaves it unset), and
 * replaces the machine through `replacementTrigger: identityHash(replace)`: see
 * test/components/replacement.test.ts for the enumeration of those inputs and their sources.
 *
 * - OpenStack: image name, boot volume (size, type), zone, server-group policy, node network,
 *   data volumes, generation. Restart: the flavor (Nova resizes, which reboots the server).
 * - vSphere: template name, every `clone` option (`linkedClone`), boot disk, data volumes,
 *   generation. Restart: CPUs, memory (the provider powers the VM off when it cannot hot-add).
 * - Harvester: image name and URL, namespace, VM network, data-disk storage class, boot disk, data
 *   volumes, generation. Restart: CPUs, memory, applied by KubeVirt to the next VM instance: a
 *   power-off from inside the guest starts one (the VM's runStrategy is `Always`).
 * - Existing hosts: the generation only (nothing to replace but the node's membership).
 */
export function machineIdentity(spec: ClusterSpec, node: PlannedNode): MachineIdentity {
    const infra = spec.infrastructure;
    switch (infra.provider) {
        case "openstack": {
            const os = infra.openstack!;
            return {
                replace: {
                    image: os.image,
                    bootDiskGiB: node.diskGiB ?? os.bootVolume.sizeGiB,
                    bootVolumeType: os.bootVolume.type,
                    availabilityZone: availabilityZone(spec, node),
                    serverGroupPolicy: serverGroupPolicy(spec, node),
                    network: networkIdentity(spec),
                    dataVolumes: node.dataVolumes,
                    generation: node.generation,
                },
                restart: { flavor: node.size },
                restartAppliedBy: "provider",
            };
        }
        case "vsphere": {
            const size = nodeResources(spec, node);
            const vs = infra.vsphere!;
            return {
                replace: {
                    template: vs.template,
                    linkedClone: vs.linkedClone,
                    diskGiB: size.diskGiB,
                    dataVolumes: node.dataVolumes,
                    generation: node.generation,
                },
                restart: { cpus: size.cpus, memoryGiB: size.memoryGiB },
                restartAppliedBy: "provider",
            };
        }
        case "harvester": {
            const size = nodeResources(spec, node);
            const h = infra.harvester!;
            return {
                replace: {
                    image: h.image.name,
                    // The URL of an image the program downloads (a new one is a new image object:
                    // harvester/objects.ts imageObjectName). Absent otherwise, so those stacks' hashes stay.
                    ...(h.image.url ? { imageUrl: h.image.url } : {}),
                    namespace: h.namespace,
                    network: h.network.name,
                    dataStorageClass: h.image.storageClass,
                    diskGiB: size.diskGiB,
                    dataVolumes: node.dataVolumes,
                    generation: node.generation,
                },
                restart: { cpus: size.cpus, memoryGiB: size.memoryGiB },
                restartAppliedBy: "guest-poweroff",
            };
        }
        case "existing":
            return { replace: { generation: node.generation }, restart: {}, restartAppliedBy: "provider" };
    }
}
