/**
 * Existing hosts: the nodes listed in the spec become the NodeSet; no machine is created. Kubespray's
 * reachability check (components/kubespray) says which hosts cannot be reached before it installs.
 */
import * as pulumi from "@pulumi/pulumi";
import { accessFromSpec, nodeSetOf, type InfrastructureArgs, type NodeSet } from "../nodeset";

export class ExistingHosts extends pulumi.ComponentResource {
    readonly nodeSet: NodeSet;

    constructor(name: string, args: InfrastructureArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:existing:Hosts", name, {}, opts);
        const { spec } = args;
        const access = accessFromSpec(spec);
        // No machines: the lifecycle hooks still learn how the hosts are reached.
        for (const node of spec.nodes) {
            args.lifecycle?.before(node, access);
            args.lifecycle?.after(node, []);
        }
        this.nodeSet = nodeSetOf(spec, access, Object.fromEntries(spec.nodes.map((node) => [node.name, []])));
        this.registerOutputs({ nodes: spec.nodes.map((n) => n.name) });
    }
}
