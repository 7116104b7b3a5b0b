/**
 * A node that exists keeps its address, as Cluster API keeps a Machine's: refused before any resource,
 * by `pulumi preview`, `pulumi up` and the offline plan (components/program.ts `deployedRefusal`).
 *
 * Why nothing can renumber a running node safely here:
 * - OpenStack changes a port's `fixed_ips` in place (Neutron port update; `fixed_ip` is no ForceNew
 *   argument of the port: see test/components/replacement.test.ts), and a node's port waits for the
 *   network only, so every port of every renumbered node would change at the start of the run, with no
 *   drain, while the gates plan nothing (an address is no part of a machine's identity);
 * - vSphere and Harvester give the address to cloud-init, which reads it at first boot only (it is pinned
 *   with the machine), and an existing host's address is the host: the inventory would point at an
 *   address the node does not have;
 * - etcd members, the API server certificates' SANs, kubelet node IPs and, without an API VIP, every
 *   node's nginx-proxy hold the old address: etcd peers keep dialling it and quorum is lost.
 *
 * The way out is new nodes: a worker pool with the new addresses, then shrink the old pool (each step a
 * `pulumi up`); on existing hosts, new entries under new names, then remove the old ones. The record
 * (components/deployed.ts) holds each node's deployed address; a node it does not list is new and may
 * take any address.
 */
import type { ClusterSpec, PlannedNode } from "../../spec";
import type { Deployed } from "../deployed";

export interface AddressChange {
    readonly node: string;
    readonly role: PlannedNode["role"];
    readonly from: string;
    readonly to: string;
    /** Stack-file path of the node's address. */
    readonly path: string;
}

/** The stack-file path that gives a node its address. */
function addressPath(spec: ClusterSpec, node: PlannedNode): string {
    const infra = spec.infrastructure;
    if (infra.provider === "existing") {
        const index = (infra.existing?.nodes ?? []).findIndex((host) => host.name === node.name);
        return `infrastructure.existing.nodes[${index}].address`;
    }
    const poolIndex = infra.workerPools.findIndex((p) => p.name === node.pool);
    const [pool, base] = node.role === "control-plane" || poolIndex < 0
        ? [infra.controlPlane, "infrastructure.controlPlane.addresses"]
        : [infra.workerPools[poolIndex], `infrastructure.workerPools[${poolIndex}].addresses`];
    return Array.isArray(pool?.addresses) ? `${base}[${node.index - 1}]` : base;
}

/** Nodes of the stack file that exist with another address than the stack file gives them. */
export function addressChanges(spec: ClusterSpec, deployed: Pick<Deployed, "address">): AddressChange[] {
    const changes: AddressChange[] = [];
    for (const node of spec.nodes) {
        const from = deployed.address(node.name);
        if (from !== undefined && from !== node.address) {
            changes.push({ node: node.name, role: node.role, from, to: node.address, path: addressPath(spec, node) });
        }
    }
    return changes;
}

/** The refusal, naming every node, old → new address and field, and the way out; undefined when none changes. */
export function addressRefusal(spec: ClusterSpec, deployed: Pick<Deployed, "address">): string | undefined {
    const changes = addressChanges(spec, deployed);
    if (changes.length === 0) {
        return undefined;
    }
    const shown = changes.slice(0, 20).map((c) => `${c.node} ${c.from} → ${c.to} (${c.path})`);
    const more = changes.length > shown.length ? `, and ${changes.length - shown.length} more` : "";
    const ways: string[] = [];
    if (spec.infrastructure.provider === "existing") {
        ways.push("list the hosts at their new addresses under new names in infrastructure.existing.nodes, run pulumi up, then remove the old entries in a later pulumi up");
    } else {
        if (changes.some((c) => c.role === "worker")) {
            ways.push("for workers, add a worker pool with the new addresses, run pulumi up, then shrink the old pool to 0 (or remove it) in a later pulumi up");
        }
        if (changes.some((c) => c.role === "control-plane")) {
            ways.push("control-plane nodes cannot be given new addresses by this program (they are etcd members and named by number, so no new node can take over from a given one): keep infrastructure.controlPlane.addresses as deployed");
        }
    }
    return `refusing to change the address of nodes that exist: ${shown.join("; ")}${more}. A running node keeps its address `
        + `(OpenStack would renumber its port in place and at once, with no drain; cloud-init and existing hosts never take a new one; etcd, the certificates and the inventory hold the old one). `
        + `Restore the deployed addresses; then ${ways.join("; ")}.`;
}
