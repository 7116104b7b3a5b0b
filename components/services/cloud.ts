/**
 * The Harvester cloud provider and CSI driver talk to the Harvester cluster with a kubeconfig. Not the
 * admin kubeconfig the stack holds (`secrets.harvesterKubeconfig`): as the Harvester docs require
 * (harvester/cloud-provider-harvester deploy/generate_addon.sh, harvester-csi-driver
 * deploy/generate_addon_csi.sh), a ServiceAccount in the VMs' namespace bound to Harvester's
 * `harvesterhci.io:cloudprovider` ClusterRole, and a kubeconfig with that account's token, scoped to
 * the namespace. The program makes them in Harvester and puts the kubeconfig in the guest cluster's
 * `kube-system/harvester-cloud-config` Secret, under the keys both charts read.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import type { ClusterSpec } from "../../spec";
import { HARVESTER_CLOUD_CONFIG_SECRET } from "../../spec/cloud";

export const HARVESTER_CLOUD_PROVIDER_ROLE = "harvesterhci.io:cloudprovider";

interface KubeconfigCluster { name: string; cluster: { server: string; "certificate-authority-data"?: string } }

/** A kubeconfig for `account` with `token`, on the server and CA of the admin kubeconfig's current context. */
export function scopedKubeconfig(adminKubeconfig: string, account: string, namespace: string, token: string): string {
    const parsed = parse(adminKubeconfig) as unknown;
    const admin = (typeof parsed === "object" && parsed !== null ? parsed : {}) as { "current-context"?: string; contexts?: { name: string; context: { cluster: string } }[]; clusters?: KubeconfigCluster[] };
    const context = admin.contexts?.find((c) => c.name === admin["current-context"]) ?? admin.contexts?.[0];
    // A kubeconfig without a cluster never gets here in a real run: the Harvester provider made from it fails first.
    const cluster = admin.clusters?.find((c) => c.name === context?.context.cluster) ?? admin.clusters?.[0];
    const ca = cluster?.cluster["certificate-authority-data"];
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "harvester", cluster: { server: cluster?.cluster.server ?? "", ...(ca ? { "certificate-authority-data": ca } : {}) } }],
        users: [{ name: account, user: { token } }],
        contexts: [{ name: account, context: { cluster: "harvester", user: account, namespace } }],
        "current-context": account,
    });
}

/** The scoped account in Harvester and the guest-cluster Secret holding its kubeconfig. */
export function harvesterCloudConfig(spec: ClusterSpec, adminKubeconfig: pulumi.Output<string>, opts: { parent: pulumi.Resource; provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] }): k8s.core.v1.Secret {
    const cluster = spec.meta.name;
    const namespace = spec.infrastructure.harvester?.namespace ?? "default";
    const account = `${cluster}-cloud-provider`;
    const harvester = new k8s.Provider(`${cluster}-harvester-cloud`, { kubeconfig: adminKubeconfig }, { parent: opts.parent });
    const onHarvester = { parent: opts.parent, provider: harvester };
    const serviceAccount = new k8s.core.v1.ServiceAccount(`harvester:${namespace}/${account}`, { metadata: { name: account, namespace } }, onHarvester);
    const binding = new k8s.rbac.v1.ClusterRoleBinding(`harvester:${namespace}-${account}`, {
        metadata: { name: `${namespace}-${account}` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: HARVESTER_CLOUD_PROVIDER_ROLE },
        subjects: [{ kind: "ServiceAccount", name: account, namespace }],
    }, onHarvester);
    // A long-lived token Secret; the Kubernetes provider waits until the token controller fills it in.
    const token = new k8s.core.v1.Secret(`harvester:${namespace}/${account}-token`, {
        metadata: { name: `${account}-token`, namespace, annotations: { "kubernetes.io/service-account.name": account } },
        type: "kubernetes.io/service-account-token",
    }, { ...onHarvester, dependsOn: [serviceAccount, binding], additionalSecretOutputs: ["data"] });
    const kubeconfig = pulumi.secret(pulumi.all([adminKubeconfig, token.data]).apply(([admin, data]) =>
        scopedKubeconfig(admin, account, namespace, Buffer.from(data?.token ?? "", "base64").toString("utf8"))));
    return new k8s.core.v1.Secret(`kube-system/${HARVESTER_CLOUD_CONFIG_SECRET}`, {
        metadata: { name: HARVESTER_CLOUD_CONFIG_SECRET, namespace: "kube-system" },
        type: "Opaque",
        // cloud-config: the cloud provider's key (cloudConfig.secretKey); cloud-provider-config: the file the CSI driver reads.
        stringData: { "cloud-config": kubeconfig, "cloud-provider-config": kubeconfig },
    }, { parent: opts.parent, provider: opts.provider, dependsOn: opts.dependsOn });
}
