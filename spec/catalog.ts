/**
 * The platform services of the gitops-base repository, as data (shared/reference/opencenter.md §4.1).
 * Each entry says where the service lives in the base repository, whether it is on by default, what it
 * needs first and which secret values it cannot run without.
 */
import type { Provider } from "./schema";

export interface CatalogService {
    /** Namespace the service's workloads run in. */
    readonly namespace: string;
    /** Path of the service's base in the gitops-base repository. */
    readonly path: string;
    /** On unless the stack says otherwise: always, never, or only on the listed providers. */
    readonly defaultEnabled: boolean | readonly Provider[];
    /** Services that must be enabled and healthy first (their base Kustomizations become `dependsOn`). */
    readonly dependsOn: readonly string[];
    /** Keys under `secrets.services.<name>` the service cannot run without. */
    readonly requiredSecrets: readonly string[];
    /** Where each secret value goes in the service's Helm values (dotted path); unlisted keys go under `secrets.<key>`. */
    readonly secretValuePaths?: Readonly<Record<string, string>>;
    /** HelmRelease the base Kustomization health-checks, when the service ships one. */
    readonly helmRelease?: string;
}

const base = (name: string) => `applications/base/services/${name}`;

export const SERVICE_CATALOG: Readonly<Record<string, CatalogService>> = {
    "cert-manager": { namespace: "cert-manager", path: base("cert-manager"), defaultEnabled: true, dependsOn: [], requiredSecrets: [], helmRelease: "cert-manager" },
    "external-snapshotter": { namespace: "external-snapshotter", path: base("external-snapshotter"), defaultEnabled: true, dependsOn: [], requiredSecrets: [] },
    "gateway-api": { namespace: "envoy-gateway-system", path: base("gateway-api"), defaultEnabled: true, dependsOn: [], requiredSecrets: [], helmRelease: "envoy-gateway" },
    harbor: { namespace: "harbor", path: base("harbor"), defaultEnabled: false, dependsOn: ["cert-manager"], requiredSecrets: ["adminPassword"], secretValuePaths: { adminPassword: "harborAdminPassword" }, helmRelease: "harbor" },
    headlamp: { namespace: "headlamp", path: base("headlamp"), defaultEnabled: true, dependsOn: ["keycloak"], requiredSecrets: ["oidcClientSecret"], secretValuePaths: { oidcClientSecret: "config.oidc.clientSecret" }, helmRelease: "headlamp" },
    keycloak: { namespace: "keycloak", path: base("keycloak"), defaultEnabled: true, dependsOn: ["olm", "postgres-operator", "gateway-api", "cert-manager"], requiredSecrets: ["adminPassword"], secretValuePaths: { adminPassword: "keycloak.adminPassword" } },
    kyverno: { namespace: "kyverno", path: base("kyverno"), defaultEnabled: false, dependsOn: [], requiredSecrets: [], helmRelease: "kyverno" },
    longhorn: { namespace: "longhorn-system", path: base("longhorn"), defaultEnabled: false, dependsOn: [], requiredSecrets: [], helmRelease: "longhorn" },
    metallb: { namespace: "metallb-system", path: base("metallb"), defaultEnabled: false, dependsOn: [], requiredSecrets: [], helmRelease: "metallb" },
    olm: { namespace: "olm", path: base("olm"), defaultEnabled: true, dependsOn: [], requiredSecrets: [] },
    "openstack-ccm": { namespace: "openstack-ccm", path: base("openstack-ccm"), defaultEnabled: ["openstack"], dependsOn: [], requiredSecrets: [], helmRelease: "openstack-ccm" },
    "openstack-csi": { namespace: "openstack-csi", path: base("openstack-csi"), defaultEnabled: ["openstack"], dependsOn: ["openstack-ccm", "external-snapshotter"], requiredSecrets: [], helmRelease: "openstack-csi" },
    "postgres-operator": { namespace: "postgres-operator", path: base("postgres-operator"), defaultEnabled: true, dependsOn: [], requiredSecrets: [], helmRelease: "postgres-operator" },
    "rbac-manager": { namespace: "rbac-system", path: base("rbac-manager"), defaultEnabled: true, dependsOn: [], requiredSecrets: [], helmRelease: "rbac-manager" },
    "sealed-secrets": { namespace: "sealed-secrets", path: base("sealed-secrets"), defaultEnabled: false, dependsOn: [], requiredSecrets: [], helmRelease: "sealed-secrets" },
    "strimzi-kafka-operator": { namespace: "kafka-system", path: base("strimzi-kafka-operator"), defaultEnabled: false, dependsOn: [], requiredSecrets: [], helmRelease: "strimzi-kafka-operator" },
    velero: { namespace: "velero", path: base("velero"), defaultEnabled: true, dependsOn: ["external-snapshotter"], requiredSecrets: [], helmRelease: "velero" },
    "vsphere-csi": { namespace: "vmware-system-csi", path: base("vsphere-csi"), defaultEnabled: ["vsphere"], dependsOn: ["external-snapshotter"], requiredSecrets: ["vcenterUsername", "vcenterPassword"], secretValuePaths: { vcenterUsername: "vcenter.username", vcenterPassword: "vcenter.password" }, helmRelease: "vsphere-csi" },
    "kube-prometheus-stack": { namespace: "observability", path: base("observability/kube-prometheus-stack"), defaultEnabled: true, dependsOn: ["cert-manager"], requiredSecrets: ["grafanaAdminPassword"], secretValuePaths: { grafanaAdminPassword: "grafana.adminPassword" }, helmRelease: "kube-prometheus-stack" },
    loki: { namespace: "observability", path: base("observability/loki"), defaultEnabled: true, dependsOn: ["kube-prometheus-stack"], requiredSecrets: [], helmRelease: "loki" },
    mimir: { namespace: "observability", path: base("observability/mimir"), defaultEnabled: false, dependsOn: ["kube-prometheus-stack"], requiredSecrets: [], helmRelease: "mimir" },
    tempo: { namespace: "observability", path: base("observability/tempo"), defaultEnabled: true, dependsOn: ["kube-prometheus-stack"], requiredSecrets: [], helmRelease: "tempo" },
    "opentelemetry-kube-stack": { namespace: "observability", path: base("observability/opentelemetry-kube-stack"), defaultEnabled: false, dependsOn: ["cert-manager"], requiredSecrets: [], helmRelease: "opentelemetry-kube-stack" },
};

export const SERVICE_NAMES: readonly string[] = Object.keys(SERVICE_CATALOG).sort();

export function isEnabledByDefault(service: CatalogService, provider: Provider): boolean {
    return typeof service.defaultEnabled === "boolean" ? service.defaultEnabled : service.defaultEnabled.includes(provider);
}
