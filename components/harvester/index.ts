/**
 * Harvester is Kubernetes: the cluster's VMs, images and networks are custom resources applied with
 * `@pulumi/kubernetes` through a provider built from the Harvester cluster's kubeconfig (a secret).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderUserData } from "../cloudinit";
import { applyObject, type K8sObject } from "../k8s-object";
import { accessFromSpec, machineReplacement, nodeSetOf, pinMachineInputs, type InfrastructureArgs, type NodeSet } from "../nodeset";
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

        // Production stacks protect the networks and every VM (its disks are deleted with it): components/protection.ts.
        const protectCluster = args.protection?.cluster ?? false;
        const networks = clusterNetworkObjects(spec).map((object) => apply(object, { protect: protectCluster }));
        const vmNetwork = apply(vmNetworkObject(spec), { dependsOn: networks, protect: protectCluster });
        const imageSpec = imageObject(spec);
        // Kept when it leaves the program (a new URL is a new image): see objects.ts imageObject.
        const image = imageSpec ? apply(imageSpec, { retainOnDelete: true }) : undefined;

        const access = accessFromSpec(spec);
        const machines: Record<string, pulumi.Resource[]> = {};
        for (const node of spec.nodes) {
            const gate = args.lifecycle?.before(node, access) ?? [];
            const replacement = machineReplacement(spec, node);
            // cloud-init reads these at first boot only. Pinned, the Secret changes (and, being a Secret,
            // is replaced: pulumi-kubernetes treats Secret data as immutable) only together with its VM,
            // so a rotated key or a new DNS server neither touches running VMs nor is lost on a new one.
            const cloudInit = pinMachineInputs<Record<string, string>>(node.name, replacement.trigger, {
                userdata: pulumi.output(args.authorizedKeys).apply((keys) => renderUserData(spec, node, keys)),
                networkdata: networkData(spec, node),
            }, { parent: this });
            const secret = new k8s.core.v1.Secret(cloudInitSecretName(node), {
                metadata: { name: cloudInitSecretName(node), namespace: spec.infrastructure.harvester!.namespace, labels: { "clusters.pulumi.io/cluster": spec.meta.name } },
                type: "Opaque",
                stringData: cloudInit,
            }, {
                ...resourceOpts,
                // Replacing the Secret deletes it first (same name), which makes the engine delete the VM that
                // depends on it first too: both wait for the node's gate (drained and removed).
                dependsOn: gate,
                deleteBeforeReplace: true,
            });
            const vm = apply(virtualMachineObject(spec, node), {
                dependsOn: [vmNetwork, secret, ...(image ? [image] : []), ...gate],
                protect: args.protection?.machine(node) ?? false,
                // Labels, sizes and everything else change in place: only the node's identity recreates its VM.
                ...replacement.options,
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
