/**
 * Harvester is Kubernetes: the cluster's VMs, images and networks are custom resources applied with
 * `@pulumi/kubernetes` through a provider built from the Harvester cluster's kubeconfig (a secret).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderUserData } from "../cloudinit";
import { applyObject, type K8sObject } from "../k8s-object";
import { accessFromSpec, nodeSetOf, type InfrastructureArgs, type NodeSet } from "../nodeset";
import {
    cloudInitSecretName, clusterNetworkObjects, imageObject, loadBalancerObjects, networkData, virtualMachineObject, vmNetworkObject,
} from "./objects";

export interface HarvesterArgs extends InfrastructureArgs {
    /** Kubeconfig of the Harvester cluster (secret). */
    readonly kubeconfig: pulumi.Input<string>;
}

export class HarvesterInfrastructure extends pulumi.ComponentResource {
    readonly nodeSet: NodeSet;

    constructor(name: string, args: HarvesterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:harvester:Infrastructure", name, {}, opts);
        const { spec } = args;
        const provider = new k8s.Provider(`${spec.meta.name}-harvester`, {
            kubeconfig: pulumi.secret(args.kubeconfig),
            // Objects are applied as-is; Harvester's webhooks own the fields they fill in.
            enableServerSideApply: true,
        }, { parent: this });
        const resourceOpts = { parent: this, provider };
        const apply = (object: K8sObject, extra: pulumi.CustomResourceOptions = {}) => applyObject(object, { ...resourceOpts, ...extra });

        const networks = clusterNetworkObjects(spec).map((object) => apply(object));
        const vmNetwork = apply(vmNetworkObject(spec), { dependsOn: networks });
        const imageSpec = imageObject(spec);
        const image = imageSpec ? apply(imageSpec) : undefined;

        const access = accessFromSpec(spec);
        const machines: Record<string, pulumi.Resource[]> = {};
        for (const node of spec.nodes) {
            const secret = new k8s.core.v1.Secret(cloudInitSecretName(node), {
                metadata: { name: cloudInitSecretName(node), namespace: spec.infrastructure.harvester!.namespace, labels: { "clusters.pulumi.io/cluster": spec.meta.name } },
                type: "Opaque",
                stringData: {
                    userdata: pulumi.output(args.authorizedKeys).apply((keys) => renderUserData(spec, node, keys)),
                    networkdata: networkData(spec, node),
                },
            }, { ...resourceOpts, ignoreChanges: ["stringData"] });
            const vm = apply(virtualMachineObject(spec, node), {
                dependsOn: [vmNetwork, secret, ...(image ? [image] : []), ...(args.lifecycle?.before(node, access) ?? [])],
                // A bumped generation label recreates the VM; the name stays, so delete first.
                replaceOnChanges: ["metadata.labels"],
                deleteBeforeReplace: true,
            });
            machines[node.name] = [secret, vm];
            args.lifecycle?.after(node, [vm]);
        }
        const lbObjects = loadBalancerObjects(spec);
        const lbResources: pulumi.Resource[] = [];
        for (const object of lbObjects) {
            lbResources.push(apply(object, { dependsOn: lbResources.slice() }));
        }
        this.nodeSet = nodeSetOf(spec, access, machines);
        this.registerOutputs({});
    }
}
