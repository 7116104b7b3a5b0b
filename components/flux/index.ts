/**
 * Flux bootstrap without the `flux` CLI: the Flux Operator (Helm chart, pinned) installs Flux at the
 * exact version the stack names through a FluxInstance; we add the root GitRepository and
 * Kustomization that sync the cluster's path, the Git credentials, the `sops-age` key and the
 * gitops-base credentials. From then on Git and Flux own what runs in the cluster.
 *
 * Why the operator: it takes the Flux version itself (no chart-to-Flux version table to keep), installs
 * and upgrades CRDs and controllers in order, keeps them reconciled (drift inside the cluster is fixed
 * in-cluster), and needs no vendored install manifests or CLI. Pulumi waits for the FluxInstance to be
 * Ready before it creates Flux objects, so the CRDs exist by then.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { ClusterSpec } from "../../spec";
import { runsExternalCloudController, TOLERATE_UNINITIALIZED } from "../../spec/cloud";
import { applyObject } from "../k8s-object";
import { keyDates, type KeyDates } from "../keys";
import { FLUX_NAMESPACE, fluxInstance, gitRepository, kustomization, type FluxObject } from "./objects";

export const FLUX_OPERATOR_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator";
export const GIT_SECRET = "flux-system";
export const SOPS_SECRET = "sops-age";
export const BASE_SECRET = "opencenter-base";

export interface FluxBootstrapArgs {
    readonly spec: ClusterSpec;
    /** Provider for the cluster (built from Kubespray's kubeconfig). */
    readonly provider: k8s.Provider;
    readonly gitToken?: pulumi.Output<string>;
    readonly gitSshPrivateKey?: pulumi.Output<string>;
    readonly baseRepoToken?: pulumi.Output<string>;
    /** age identities, one per line (secret). */
    readonly ageKeysFile: pulumi.Output<string>;
    /** What must exist before Flux is installed (the cluster's nodes). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class FluxBootstrap extends pulumi.ComponentResource {
    /** Ready when Flux's controllers and CRDs are installed. */
    readonly instance: k8s.apiextensions.CustomResource;
    /** Public key to add as a read-only deploy key on the GitOps repository (ssh only). */
    readonly deployKey?: pulumi.Output<string>;
    /** When the generated deploy key was made and when it is due (`operations.keyRotation.fluxDeployKeyDays`). */
    readonly deployKeyDates?: KeyDates;

    constructor(name: string, args: FluxBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:flux:FluxBootstrap", name, {}, opts);
        const { spec, provider } = args;
        const gitops = spec.gitops!;
        const k8sOpts = { parent: this, provider };
        const namespace = new k8s.core.v1.Namespace(FLUX_NAMESPACE, { metadata: { name: FLUX_NAMESPACE } }, { ...k8sOpts, dependsOn: args.dependsOn });
        const tolerations = runsExternalCloudController(spec) ? [{ ...TOLERATE_UNINITIALIZED }] : [];
        const operator = new k8s.helm.v3.Release(`${spec.meta.name}-flux-operator`, {
            name: "flux-operator",
            chart: FLUX_OPERATOR_CHART,
            version: gitops.flux.operatorVersion,
            namespace: FLUX_NAMESPACE,
            createNamespace: false,
            atomic: true,
            ...(tolerations.length ? { values: { tolerations } } : {}),
        }, { ...k8sOpts, dependsOn: [namespace] });
        this.instance = apply(fluxInstance(gitops.flux.version, spec.kubernetes.clusterDomain, tolerations), { ...k8sOpts, dependsOn: [operator], customTimeouts: { create: "20m", update: "20m" } });

        const secrets: pulumi.Resource[] = [];
        const gitSecret = (data: Record<string, pulumi.Input<string>>) => new k8s.core.v1.Secret(`${FLUX_NAMESPACE}/${GIT_SECRET}`, {
            metadata: { name: GIT_SECRET, namespace: FLUX_NAMESPACE },
            type: "Opaque",
            stringData: data,
        }, { ...k8sOpts, dependsOn: [namespace] });
        if (gitops.auth.method === "token") {
            secrets.push(gitSecret({ username: gitops.auth.username, password: args.gitToken! }));
        } else {
            const identity = args.gitSshPrivateKey ?? this.deployKeyPair(spec);
            secrets.push(gitSecret({ identity, known_hosts: gitops.auth.knownHosts.join("\n") }));
        }
        secrets.push(new k8s.core.v1.Secret(`${FLUX_NAMESPACE}/${SOPS_SECRET}`, {
            metadata: { name: SOPS_SECRET, namespace: FLUX_NAMESPACE },
            type: "Opaque",
            stringData: { "age.agekey": args.ageKeysFile },
        }, { ...k8sOpts, dependsOn: [namespace] }));
        if (gitops.base.auth === "token") {
            secrets.push(new k8s.core.v1.Secret(`${FLUX_NAMESPACE}/${BASE_SECRET}`, {
                metadata: { name: BASE_SECRET, namespace: FLUX_NAMESPACE },
                type: "Opaque",
                stringData: { username: "git", password: args.baseRepoToken! },
            }, { ...k8sOpts, dependsOn: [namespace] }));
        }
        for (const object of rootSync(spec)) {
            apply(object, { ...k8sOpts, dependsOn: [this.instance, ...secrets] });
        }
        this.registerOutputs({ deployKey: this.deployKey });
    }

    /**
     * A read-only deploy key made by @pulumi/tls, one per `operations.keyRotation.fluxDeployKeyGeneration`
     * like the SSH and age keys; its public half is a stack output to register with the Git host. Bumping the
     * generation makes a new key and Flux switches to it: until the new public key is registered, Flux keeps
     * the last revision it fetched and retries. Generation 0 keeps the name keys had before generations.
     */
    private deployKeyPair(spec: ClusterSpec): pulumi.Output<string> {
        const rotation = spec.operations.keyRotation;
        const generation = rotation.fluxDeployKeyGeneration;
        const name = `${spec.meta.name}-flux-deploy-key-g${generation}`;
        const key = new tls.PrivateKey(name, { algorithm: "ED25519" }, {
            parent: this,
            additionalSecretOutputs: ["privateKeyOpenssh", "privateKeyPem"],
            aliases: generation === 0 ? [{ name: `${spec.meta.name}-flux-deploy-key` }] : [],
        });
        const self = this as { deployKey?: pulumi.Output<string>; deployKeyDates?: KeyDates };
        self.deployKey = key.publicKeyOpenssh.apply((k) => k.trim());
        self.deployKeyDates = keyDates(this, name, rotation.fluxDeployKeyDays);
        return pulumi.secret(key.privateKeyOpenssh);
    }
}

/** The root GitRepository and Kustomization syncing the cluster's path, decrypting with SOPS. */
export function rootSync(spec: ClusterSpec): FluxObject[] {
    const gitops = spec.gitops!;
    return [
        gitRepository(GIT_SECRET, { url: gitops.repository.url, ref: { branch: gitops.repository.branch }, interval: gitops.flux.interval, secretName: GIT_SECRET }),
        kustomization(GIT_SECRET, {
            path: gitops.repository.path, source: GIT_SECRET, interval: "10m", prune: gitops.flux.prune, wait: false,
            timeout: "5m", retryInterval: "1m", decryptWith: SOPS_SECRET,
        }),
    ];
}

/** Flux objects are applied like any Kubernetes object of this program. */
export const apply = applyObject;
