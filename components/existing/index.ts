/**
 * Existing hosts: the nodes listed in the spec become the NodeSet; no machine is created. Kubespray's
 * reachability check (components/kubespray) says which hosts cannot be reached before it installs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { InfrastructureArgs, NodeSet } from "../nodeset";

export class ExistingHosts extends pulumi.ComponentResource {
    readonly nodeSet: NodeSet;

    constructor(name: string, args: InfrastructureArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:existing:Hosts", name, {}, opts);
        const { spec } = args;
        const { bastion, ssh, network } = spec.infrastructure;
        this.nodeSet = {
            nodes: spec.nodes,
            apiEndpoint: pulumi.output(spec.infrastructure.apiEndpoint.dnsName ?? network.apiVip!),
            apiPort: spec.kubernetes.apiPort,
            bastion: bastion.enabled ? { host: pulumi.output(bastion.address!), user: ssh.user } : undefined,
            sshUser: ssh.user,
            machines: Object.fromEntries(spec.nodes.map((node) => [node.name, []])),
        };
        this.registerOutputs({ nodes: spec.nodes.map((n) => n.name) });
    }
}
