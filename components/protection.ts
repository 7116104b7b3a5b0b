/**
 * Teardown is deliberate (`operations.decommission`, spec/schema.ts). In a production stack the resources
 * whose loss is the cluster's loss are `protect`ed: every machine with its port and volumes, the node
 * network, and the Kubespray cluster command. The engine then refuses `pulumi destroy` and refuses to
 * delete any of them when they leave the program (a node or pool taken out of the stack file by mistake).
 *
 * What the engine checks (pulumi/pulumi pkg/resource/deploy): a delete is refused when the *recorded*
 * state is protected (`DeleteStep.Apply`: `old.Protect`), so lifting protection takes one `pulumi up`
 * before the removal; a replacement is refused only when both the recorded and the new registration are
 * protected (step_generator.go: "we do allow unprotecting and replacing to happen in a single update
 * cycle"). So a machine whose identity changes in this run (the deployed record says it was made with
 * another identity: a planned image, disk or zone change, `operations.replaceNodes`) is registered
 * unprotected for that run and is replaced with its drain and rejoin as usual, then protected again.
 */
import type { ClusterSpec, PlannedNode } from "../spec";
import type { Deployed } from "./deployed";
import { identityHash, machineIdentity } from "./machine-identity";

export interface Protection {
    /** Protect the cluster-wide resources: the node network and the Kubespray cluster command. */
    readonly cluster: boolean;
    /** Protect this node's machine, port and volumes. */
    machine(node: PlannedNode): boolean;
}

export const UNPROTECTED: Protection = { cluster: false, machine: () => false };

export function protection(spec: ClusterSpec, deployed: Deployed): Protection {
    const { decommission } = spec.operations;
    const cluster = spec.meta.environment === "production" && decommission.confirm !== spec.meta.name;
    const released = new Set(decommission.nodes);
    return {
        cluster,
        machine: (node) => cluster && !released.has(node.name) && !replacedNow(spec, deployed, node),
    };
}

/** The deployed record knows the node's machine and its identity differs from the stack file's now. */
export function replacedNow(spec: ClusterSpec, deployed: Deployed, node: PlannedNode): boolean {
    const before = deployed.identity(node.name);
    return before !== undefined && before !== identityHash(machineIdentity(spec, node).replace);
}

/**
 * What the plan and preview say loudly about protection: warnings for `pulumi.log.warn` and for plan.md.
 * Empty for a stack that is not being decommissioned.
 */
export function decommissionNotices(spec: ClusterSpec): string[] {
    const { decommission } = spec.operations;
    const production = spec.meta.environment === "production";
    const notices: string[] = [];
    if (decommission.confirm === spec.meta.name) {
        notices.push(production
            ? `operations.decommission.confirm: DECOMMISSIONING cluster ${spec.meta.name}: the protection of every machine, volume and network and of the Kubespray cluster command is lifted; after this pulumi up, pulumi destroy (or removing them from the stack file) deletes them. Remove operations.decommission to protect them again`
            : `operations.decommission.confirm: cluster ${spec.meta.name} is a ${spec.meta.environment} stack, whose resources are not protected: pulumi destroy deletes them with or without this setting`);
    }
    if (decommission.nodes.length) {
        const nodes = decommission.nodes.join(", ");
        notices.push(production
            ? `operations.decommission.nodes: the machines, ports and volumes of ${nodes} lose their protection; after this pulumi up, taking them out of the stack file deletes them`
            : `operations.decommission.nodes: ${nodes}: ${spec.meta.environment} stacks are not protected; taking nodes out of the stack file deletes their machines with or without this setting`);
    }
    if (decommission.resetHosts.length) {
        notices.push(`operations.decommission.resetHosts: ${decommission.resetHosts.join(", ")} will be reset by Kubespray (Kubernetes, etcd data and CNI state wiped) when they leave the cluster`);
    }
    return notices;
}
