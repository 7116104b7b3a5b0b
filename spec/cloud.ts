/**
 * Cloud integration per provider, as pure data: which cloud controller and CSI driver run, which
 * StorageClass is the default, the Helm values that wire them to the stack, and the Kubespray variables
 * that go with an external cloud controller.
 *
 * | provider  | cloud controller                      | CSI driver                     | default StorageClass   |
 * |-----------|---------------------------------------|--------------------------------|------------------------|
 * | openstack | openstack-ccm (gitops-base)           | openstack-csi (gitops-base)    | csi-cinder-sc-delete   |
 * | vsphere   | vsphere-cpi (official chart)          | vsphere-csi (gitops-base)      | vsphere-csi            |
 * | harvester | harvester-cloud-provider (chart)      | harvester-csi-driver (chart)   | harvester              |
 * | existing  | none                                  | none                           | none (add one)         |
 */
import { ini } from "./ini";
import type { ClusterSpec } from "./resolve";
import type { Provider } from "./schema";

export interface CloudIntegration {
    /** Catalog service running the cloud controller manager (nodes keep Kubespray's `cloud_provider: external`). */
    readonly controller?: string;
    /** Catalog service running the CSI driver. */
    readonly csi?: string;
    /** StorageClass the CSI driver's chart marks as the cluster default. */
    readonly defaultStorageClass?: string;
}

export const CLOUD_INTEGRATION: Readonly<Record<Provider, CloudIntegration>> = {
    openstack: { controller: "openstack-ccm", csi: "openstack-csi", defaultStorageClass: "csi-cinder-sc-delete" },
    vsphere: { controller: "vsphere-cpi", csi: "vsphere-csi", defaultStorageClass: "vsphere-csi" },
    harvester: { controller: "harvester-cloud-provider", csi: "harvester-csi-driver", defaultStorageClass: "harvester" },
    existing: {},
};

/** Every cloud controller and CSI service: their values Secret always carries the cloud wiring. */
export const CLOUD_SERVICES: ReadonlySet<string> = new Set(Object.values(CLOUD_INTEGRATION).flatMap((cloud) => [cloud.controller, cloud.csi]).filter((name): name is string => name !== undefined));

/**
 * Default StorageClasses a gitops-base service path makes beside its chart's own: longhorn's
 * `longhorn-general-storageclass.yaml` marks `general` with `storageclass.kubernetes.io/is-default-class:
 * "true"`, and the longhorn chart makes a default class `longhorn` too (`persistence.defaultClass: true` in
 * gitops-base's values-v1.11.0.yaml). With two defaults Kubernetes gives a PVC without a class the newest
 * default (since 1.26), a surprise; so the program keeps exactly one: the provider CSI's when it runs,
 * else `general` (the chart's `longhorn` class is never default, see {@link cloudServiceValues}).
 */
export const SERVICE_DEFAULT_STORAGE_CLASSES: Readonly<Record<string, { readonly stage: string; readonly storageClass: string }>> = {
    longhorn: { stage: "longhorn-base", storageClass: "general" },
};

/** The provider CSI and its default StorageClass when that CSI is among the enabled services. */
export function providerDefaultStorageClass(provider: Provider, enabled: readonly string[]): { readonly csi: string; readonly storageClass: string } | undefined {
    const { csi, defaultStorageClass } = CLOUD_INTEGRATION[provider];
    return csi && defaultStorageClass && enabled.includes(csi) ? { csi, storageClass: defaultStorageClass } : undefined;
}

/** Services whose values Secret always carries the program's values (cloud wiring, or longhorn's single default class). */
export const PROGRAM_VALUES_SERVICES: ReadonlySet<string> = new Set([...CLOUD_SERVICES, ...Object.keys(SERVICE_DEFAULT_STORAGE_CLASSES)]);

/** The taint kubelet puts on a node registered with `--cloud-provider=external` until a cloud controller initializes it. */
export const UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

/** A toleration for {@link UNINITIALIZED_TAINT}, for what must run before the cloud controller (DNS, Flux). */
export const TOLERATE_UNINITIALIZED = { key: UNINITIALIZED_TAINT, operator: "Exists", effect: "NoSchedule" } as const;

/** Whether the stack runs an external cloud controller manager (so nodes register uninitialized). */
export function runsExternalCloudController(spec: Pick<ClusterSpec, "infrastructure" | "enabledServices">): boolean {
    const controller = CLOUD_INTEGRATION[spec.infrastructure.provider].controller;
    return controller !== undefined && spec.enabledServices.some((service) => service.name === controller);
}

/**
 * Kubespray group_vars (k8s_cluster) for the cloud controller the stack runs. Kubespray v2.31.0
 * (roles/kubespray_defaults/defaults/main/main.yml, roles/validate_inventory/tasks/main.yml):
 * `cloud_provider` may only be "" or "external"; with "external", `external_cloud_provider` must be one
 * of hcloud, huaweicloud, oci, openstack, vsphere or manual, and "manual" installs no controller (Flux
 * installs ours). kubelet then runs with `--cloud-provider=external` (kubelet.env, kubeadm
 * kubeletExtraArgs) and nodes carry the uninitialized taint until the controller runs; CoreDNS must
 * tolerate it (`dns_extra_tolerations`, roles/kubernetes-apps/ansible/templates/coredns-deployment.yml.j2)
 * because Flux needs DNS to fetch the controller. Empty when no external controller runs.
 */
export function cloudProviderKubesprayVars(spec: Pick<ClusterSpec, "infrastructure" | "enabledServices">): Record<string, unknown> {
    if (!runsExternalCloudController(spec)) {
        return {};
    }
    return {
        cloud_provider: "external",
        external_cloud_provider: "manual",
        dns_extra_tolerations: [{ ...TOLERATE_UNINITIALIZED }],
    };
}

/** Secret (kube-system) holding the scoped Harvester kubeconfig for the Harvester cloud provider and CSI driver. */
export const HARVESTER_CLOUD_CONFIG_SECRET = "harvester-cloud-config";

/**
 * Helm values that wire a cloud service to the stack, merged under the stack's own `values` (which win).
 * Secret values are passed in clear here and the result goes only into a Pulumi-secret values Secret.
 * Chart facts: kubernetes/cloud-provider-openstack charts (`cloudConfig.*` INI sections; cinder-csi
 * `secret.data["cloud.conf"]`, StorageClass `csi-cinder-sc-delete`), vsphere-tmm vsphere-csi values 3.8.1
 * (`global.config.vcenter`, `global.config.storageclass`), kubernetes/cloud-provider-vsphere vsphere-cpi
 * (`config.*`), harvester/charts (`cloudConfig.secretName`/`secretKey`; the CSI driver reads
 * `/var/lib/harvester/cloud-provider-config`).
 */
export function cloudServiceValues(spec: Pick<ClusterSpec, "meta" | "infrastructure">, service: string, secrets: Readonly<Record<string, string>>): Record<string, unknown> | undefined {
    const cluster = spec.meta.name;
    const openstackGlobal = () => ({
        "auth-url": secrets.authUrl, region: secrets.region,
        "application-credential-id": secrets.applicationCredentialId, "application-credential-secret": secrets.applicationCredentialSecret,
    });
    switch (service) {
        case "openstack-ccm": {
            const floatingNetwork = spec.infrastructure.openstack?.externalNetworkId;
            return {
                cluster: { name: cluster },
                cloudConfig: { global: openstackGlobal(), loadBalancer: { ...serviceLoadBalancerConfig(spec), ...(floatingNetwork ? { "floating-network-id": floatingNetwork } : {}) } },
            };
        }
        case "openstack-csi":
            return {
                clusterID: cluster,
                secret: { enabled: true, create: true, name: "cinder-csi-cloud-config", data: { "cloud.conf": ini({ Global: openstackGlobal() }) } },
                storageClass: { enabled: true, delete: { isDefault: true } },
            };
        case "vsphere-csi":
            return {
                global: {
                    config: {
                        global: { "cluster-id": cluster },
                        vcenter: { [secrets.server]: { server: secrets.server, user: secrets.username, password: secrets.password, datacenters: [spec.infrastructure.vsphere?.datacenter ?? ""] } },
                        storageclass: { enabled: true, default: true },
                    },
                },
            };
        case "vsphere-cpi":
            return { config: { enabled: true, vcenter: secrets.server, username: secrets.username, password: secrets.password, datacenter: spec.infrastructure.vsphere?.datacenter ?? "" } };
        case "harvester-cloud-provider":
            return { cloudConfigPath: "", cloudConfig: { secretName: HARVESTER_CLOUD_CONFIG_SECRET, secretKey: "cloud-config" }, global: { cattle: { clusterName: cluster } } };
        case "harvester-csi-driver":
            return { cloudConfig: { secretName: HARVESTER_CLOUD_CONFIG_SECRET, hostPath: "" } };
        case "longhorn":
            // One default StorageClass: `general` (or the provider CSI's), never also the chart's `longhorn`.
            return { persistence: { defaultClass: false } };
        default:
            return undefined;
    }
}

/**
 * The OpenStack cloud controller's `[LoadBalancer]` settings for Services of type LoadBalancer, from
 * `infrastructure.openstack.loadBalancerProvider` (the same Octavia provider as the API load balancer).
 * - amphora: the amphora reaches the NodePorts from its port in the node subnet, which the worker
 *   security group already opens (components/openstack/security.ts).
 * - ovn: OVN keeps the client's source address, so NodePort traffic comes from the clients themselves, not
 *   from the subnet. `manage-security-groups` makes the controller create a security group per Service
 *   (`lb-sg-…`) allowing each NodePort from the Service's `loadBalancerSourceRanges` (default 0.0.0.0/0)
 *   and attach it to the members' ports; it opens the allowed ranges instead of the subnet only when
 *   `lb-provider` is "ovn" (cloud-provider-openstack pkg/openstack/loadbalancer_sg.go,
 *   ensureAndUpdateOctaviaSecurityGroup). OVN balances by SOURCE_IP_PORT only (ovn-octavia-provider).
 * The chart writes each key into cloud.conf's `[LoadBalancer]` section (templates/_helpers.tpl `cloudConfig`).
 */
export function serviceLoadBalancerConfig(spec: Pick<ClusterSpec, "infrastructure">): Record<string, string | boolean> {
    const provider = spec.infrastructure.openstack?.loadBalancerProvider ?? "amphora";
    return provider === "ovn"
        ? { "lb-provider": "ovn", "lb-method": "SOURCE_IP_PORT", "manage-security-groups": true }
        : { "lb-provider": provider };
}

/** Deep merge: objects merge key by key, anything else from `over` wins. Keys are sorted for stable output. */
export function mergeValues(under: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const merged: Record<string, unknown> = {};
    for (const key of [...new Set([...Object.keys(under), ...Object.keys(over)])].sort()) {
        const a = under[key];
        const b = over[key];
        merged[key] = isObject(a) && isObject(b) ? mergeValues(a, b) : b !== undefined ? structuredClone(b) : structuredClone(a);
    }
    return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
