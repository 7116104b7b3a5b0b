/**
 * The cluster: keys → infrastructure (one component per provider, one NodeSet shape) → Kubespray →
 * Flux and platform services. Each step gets plain values or Outputs from the one before; nothing
 * reaches back up the chain.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../spec";
import { ExistingHosts } from "./existing";
import { ClusterKeys } from "./keys";
import type { InfrastructureArgs, NodeSet } from "./nodeset";
import * as k8s from "@pulumi/kubernetes";
import { Backups } from "./backup";
import { deployedRecord, type Deployed, type DeployedRecord } from "./deployed";
import { FluxBootstrap, SOPS_SECRET } from "./flux";
import { HarvesterInfrastructure } from "./harvester";
import { Kubespray } from "./kubespray";
import { OpenStackInfrastructure } from "./openstack";
import { protection, UNPROTECTED, type Protection } from "./protection";
import { PlatformServices } from "./services";
import { VsphereInfrastructure } from "./vsphere";

/** Secret values of the stack, each already a Pulumi secret. */
export interface SecretInputs {
    readonly gitToken?: pulumi.Output<string>;
    readonly gitSshPrivateKey?: pulumi.Output<string>;
    readonly baseRepoToken?: pulumi.Output<string>;
    readonly harvesterKubeconfig?: pulumi.Output<string>;
    readonly sshPrivateKey?: pulumi.Output<string>;
    readonly backupAccessKeyId?: pulumi.Output<string>;
    readonly backupSecretAccessKey?: pulumi.Output<string>;
    readonly services: Readonly<Record<string, Readonly<Record<string, pulumi.Output<string>>>>>;
}

export interface ClusterArgs {
    readonly spec: ClusterSpec;
    readonly secrets: SecretInputs;
    /** What the last successful `pulumi up` deployed (components/deployed.ts); none on Day 1. */
    readonly deployed: Deployed;
}

export class Cluster extends pulumi.ComponentResource {
    readonly spec: ClusterSpec;
    readonly keys: ClusterKeys;
    readonly nodeSet: NodeSet;
    readonly kubespray: Kubespray;
    readonly flux?: FluxBootstrap;
    /** Which resources are protected from deletion (production stacks, components/protection.ts). */
    readonly protection: Protection;
    private readonly deployed: Deployed;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:index:Cluster", name, {}, opts);
        const { spec, secrets, deployed } = args;
        this.spec = spec;
        this.deployed = deployed;
        this.protection = spec.meta.environment === "production" ? protection(spec, deployed) : UNPROTECTED;
        this.keys = new ClusterKeys(`${name}-keys`, { spec, existingPrivateKey: secrets.sshPrivateKey }, { parent: this });
        this.kubespray = new Kubespray(`${name}-kubespray`, {
            spec, stack: pulumi.getStack(), deployed, protect: this.protection.cluster,
            sshPrivateKey: this.keys.sshPrivateKey, previousSshPrivateKey: this.keys.previousSshPrivateKey, authorizedKeys: this.keys.authorizedKeys,
            backupCredentials: secrets.backupAccessKeyId && secrets.backupSecretAccessKey ? { accessKeyId: secrets.backupAccessKeyId, secretAccessKey: secrets.backupSecretAccessKey } : undefined,
        }, { parent: this });
        const infraArgs: InfrastructureArgs = { spec, authorizedKeys: this.keys.authorizedKeys, lifecycle: this.kubespray, protection: this.protection };
        this.nodeSet = this.infrastructure(name, infraArgs, secrets).nodeSet;
        this.kubespray.finish(this.nodeSet);
        if (spec.gitops) {
            this.flux = this.gitops(name, secrets);
        }
        this.registerOutputs(this.stackOutputs());
    }

    private infrastructure(name: string, args: InfrastructureArgs, secrets: SecretInputs): { nodeSet: NodeSet } {
        switch (this.spec.infrastructure.provider) {
            case "openstack":
                return new OpenStackInfrastructure(`${name}-openstack`, args, { parent: this });
            case "vsphere":
                return new VsphereInfrastructure(`${name}-vsphere`, args, { parent: this });
            case "harvester":
                // The spec guarantees the kubeconfig secret for this provider.
                return new HarvesterInfrastructure(`${name}-harvester`, { ...args, kubeconfig: secrets.harvesterKubeconfig! }, { parent: this });
            case "existing":
                return new ExistingHosts(`${name}-existing`, args, { parent: this });
        }
    }

    /** Flux, the platform services and the backups: Kubernetes resources only, no Kubespray run. */
    private gitops(name: string, secrets: SecretInputs): FluxBootstrap {
        const { spec } = this;
        const provider = new k8s.Provider(`${name}-cluster`, { kubeconfig: this.kubespray.kubeconfig!, enableServerSideApply: true }, { parent: this });
        const flux = new FluxBootstrap(`${name}-flux`, {
            spec, provider,
            gitToken: secrets.gitToken, gitSshPrivateKey: secrets.gitSshPrivateKey, baseRepoToken: secrets.baseRepoToken,
            ageKeysFile: this.keys.ageKeysFile,
            dependsOn: [this.kubespray.workers!],
        }, { parent: this });
        const services = new PlatformServices(`${name}-services`, {
            spec, provider, secretValues: secrets.services, harvesterKubeconfig: secrets.harvesterKubeconfig,
            backupCredentials: secrets.backupAccessKeyId && secrets.backupSecretAccessKey ? { accessKeyId: secrets.backupAccessKeyId, secretAccessKey: secrets.backupSecretAccessKey } : undefined,
            decryptWith: SOPS_SECRET, dependsOn: [flux.instance],
        }, { parent: this });
        const velero = services.bases.get("velero");
        if (spec.backup.enabled && velero) {
            new Backups(`${name}-backup`, {
                spec, provider, velero,
                accessKeyId: secrets.backupAccessKeyId!, secretAccessKey: secrets.backupSecretAccessKey!,
            }, { parent: this });
        }
        return flux;
    }

    /**
     * The deployed record this run writes (components/deployed.ts): the stack file's, once the cluster and
     * workers commands hold this run's states; otherwise (a run that did not get that far, `--target`) the
     * record it read, unchanged. Plain JSON, never secret: the next run reads it before anything else.
     */
    deployedOutput(): pulumi.Output<DeployedRecord | undefined> {
        const next = deployedRecord(this.spec, this.deployed);
        // Never secret (it holds names and versions only): the next run must be able to read it plainly.
        return pulumi.unsecret(this.kubespray.applied().apply((applied) => (applied ? next : this.deployed.record)));
    }

    /** What `pulumi stack output` shows. Secrets stay secrets. */
    stackOutputs(): Record<string, unknown> {
        return {
            deployed: this.deployedOutput(),
            cluster: this.spec.meta.name,
            provider: this.spec.infrastructure.provider,
            kubernetesVersion: this.spec.kubernetes.version,
            nodes: this.nodeSet.nodes.map((n) => ({ name: n.name, role: n.role, pool: n.pool, address: n.address })),
            apiEndpoint: pulumi.interpolate`https://${this.nodeSet.apiEndpoint}:${this.nodeSet.apiPort}`,
            bastion: this.nodeSet.bastion?.host,
            sshPublicKey: this.keys.sshPublicKey,
            kubeconfig: this.kubespray.kubeconfig,
            ageRecipient: this.keys.ageRecipient,
            ageKeyCreatedAt: this.keys.age.createdAt,
            ageKeyRotationDue: this.keys.age.rotationDue,
            sshKeyCreatedAt: this.keys.ssh?.createdAt,
            sshKeyRotationDue: this.keys.ssh?.rotationDue,
            fluxDeployKey: this.flux?.deployKey,
            fluxDeployKeyCreatedAt: this.flux?.deployKeyDates?.createdAt,
            fluxDeployKeyRotationDue: this.flux?.deployKeyDates?.rotationDue,
        };
    }
}
