/**
 * The platform services, as data, checked against openCenter-gitops-base at {@link GITOPS_BASE_CHECKED_RELEASE}
 * (`test/components/gitops-base.test.ts` reads the real tree: every path, health check and values Secret
 * below is verified there). Three origins:
 *
 * - `gitops-base`: Flux applies paths of the gitops-base repository, one Kustomization per stage. Staged
 *   services (keycloak, kyverno, istio, and the observability namespace and HelmRepository that loki, tempo
 *   and mimir need) are applied in order, each stage depending on the one before, so CRDs exist before the
 *   objects that use them.
 * - `chart`: a cloud controller or CSI driver gitops-base does not ship (vSphere CPI, Harvester cloud
 *   provider and CSI driver): the program applies a Flux HelmRepository and HelmRelease of the official
 *   chart, pinned by version.
 * - `program`: made by the program itself as Kubernetes objects (the etcd-backup CronJob).
 */
import type { Provider } from "./schema";

/** The gitops-base release this catalog was checked against (paths, HelmRelease names, values Secrets). */
export const GITOPS_BASE_CHECKED_RELEASE = "2026.01";

export interface HealthCheck {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace: string;
    /**
     * Set when the object is not in the stage's path but made by an operator from what the path applies
     * (OLM installs the Keycloak operator Deployment; the operator makes the Keycloak StatefulSet). Names the
     * gitops-base document that health-checks it this way.
     */
    readonly createdBy?: { readonly operator: string; readonly documentedIn: string };
}

export interface ServiceStage {
    /** The Flux Kustomization's name. */
    readonly name: string;
    /** Path in the gitops-base repository. */
    readonly path: string;
    /**
     * Flux `targetNamespace`: every namespaced object of the path goes there. As openCenter's `<svc>-base`
     * Kustomizations do; needed because most gitops-base `source.yaml` HelmRepositories name no namespace
     * (and postgres-operator's names flux-system) while their HelmReleases look in the service namespace.
     */
    readonly targetNamespace?: string;
    /**
     * What Flux waits for before the stage is Ready. Empty: every object the stage applies (`wait: true`).
     * Given: exactly these (`wait: false`; Flux ignores health checks when `wait` is true).
     */
    readonly healthChecks: readonly HealthCheck[];
    /** Services whose last stage must be Ready before this stage is applied. */
    readonly needs?: readonly string[];
}

/** A stage several services share (applied once while any of them is enabled), from its own source. */
export interface SharedStage extends ServiceStage {
    /** Shared stages that must be Ready first. */
    readonly after: readonly string[];
}

/** Where a service's `values` go: the override Secret a real HelmRelease reads with `valuesFrom`. */
export interface HelmValuesTarget {
    readonly helmRelease: string;
    readonly namespace: string;
    /** Secret name the HelmRelease's `valuesFrom` names (optional: true), key `override.yaml`. */
    readonly secret: string;
    /** For services with several HelmReleases: the key under `values` that holds this release's values. */
    readonly valuesKey?: string;
}

/** For operator-managed services: `values` become a merge patch on this custom resource (Flux `patches`). */
export interface PatchValuesTarget {
    /** Stage (Kustomization name) whose path holds the object. */
    readonly stage: string;
    readonly target: { readonly group: string; readonly version: string; readonly kind: string; readonly name: string; readonly namespace: string };
}

export interface ChartSource {
    /** Helm repository URL of the official chart. */
    readonly repository: string;
    readonly chart: string;
    /** Pinned chart version (a function of the Kubernetes minor when the chart follows it). */
    readonly version: string | ((kubernetesMinor: number) => string);
    /** HelmRelease (and Helm release) name. */
    readonly helmRelease: string;
}

interface ServiceCommon {
    /** Namespace the service's workloads run in. */
    readonly namespace: string;
    /** On unless the stack says otherwise: always, never, or only on the listed providers. */
    readonly defaultEnabled: boolean | readonly Provider[];
    /** Services that must be enabled too (union of the stages' needs; checked before anything is made). */
    readonly dependsOn: readonly string[];
    /** Keys under `secrets.services.<name>` the service cannot run without. */
    readonly requiredSecrets: readonly string[];
    /** Where each secret value goes in the service's Helm values (dotted path); unlisted keys go under `secrets.<key>`. */
    readonly secretValuePaths?: Readonly<Record<string, string>>;
    /** Where `values` go; none means the service takes no `values`. */
    readonly helmValues: readonly HelmValuesTarget[];
    readonly patchValues?: PatchValuesTarget;
    /** One line for the README's catalog table. */
    readonly summary: string;
}

export interface GitopsBaseService extends ServiceCommon {
    readonly origin: "gitops-base";
    /** Shared stages applied first (names in {@link SHARED_STAGES}). */
    readonly shared: readonly string[];
    /** In order; the service is Ready when its last stage is. */
    readonly stages: readonly ServiceStage[];
}

export interface ChartService extends ServiceCommon {
    readonly origin: "chart";
    readonly chart: ChartSource;
}

export interface ProgramService extends ServiceCommon {
    readonly origin: "program";
}

export type CatalogService = GitopsBaseService | ChartService | ProgramService;

const base = (name: string) => `applications/base/services/${name}`;
const helmRelease = (name: string, namespace: string): HealthCheck => ({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", name, namespace });
const override = (helmRelease: string, namespace: string, secret = `${helmRelease}-values-override`, valuesKey?: string): HelmValuesTarget =>
    ({ helmRelease, namespace, secret, ...(valuesKey ? { valuesKey } : {}) });

/** One-stage service whose path holds one HelmRelease; values go to `<svc>-values-override` unless told. */
function helmService(name: string, args: {
    namespace: string; path?: string; release: string; secret?: string; defaultEnabled: boolean | readonly Provider[];
    dependsOn?: readonly string[]; requiredSecrets?: readonly string[]; secretValuePaths?: Record<string, string>; shared?: readonly string[]; summary: string;
}): GitopsBaseService {
    return {
        origin: "gitops-base",
        namespace: args.namespace,
        defaultEnabled: args.defaultEnabled,
        dependsOn: args.dependsOn ?? [],
        requiredSecrets: args.requiredSecrets ?? [],
        ...(args.secretValuePaths ? { secretValuePaths: args.secretValuePaths } : {}),
        helmValues: [override(args.release, args.namespace, args.secret ?? `${name}-values-override`)],
        shared: args.shared ?? [],
        stages: [{ name: `${name}-base`, path: args.path ?? base(name), targetNamespace: args.namespace, healthChecks: [helmRelease(args.release, args.namespace)], needs: args.dependsOn ?? [] }],
        summary: args.summary,
    };
}

const OBSERVABILITY = ["observability-namespace", "observability-sources"];

/**
 * Stages several services share. loki, tempo and mimir ship only their HelmRelease: the `observability`
 * Namespace and the `grafana` HelmRepository are separate paths (`observability/namespace`, `observability/sources`).
 */
export const SHARED_STAGES: Readonly<Record<string, SharedStage>> = {
    "observability-namespace": { name: "observability-namespace", path: base("observability/namespace"), targetNamespace: "observability", healthChecks: [], after: [] },
    "observability-sources": { name: "observability-sources", path: base("observability/sources"), targetNamespace: "observability", healthChecks: [], after: ["observability-namespace"] },
};

/** Kubernetes minor → vsphere-cpi chart version (the chart follows Kubernetes minors; kubernetes/cloud-provider-vsphere `charts/`). */
const VSPHERE_CPI_CHART: Readonly<Record<number, string>> = { 30: "1.30.2", 31: "1.31.1", 32: "1.32.0", 33: "1.33.0", 34: "1.34.0", 35: "1.35.0" };

export function vsphereCpiChartVersion(kubernetesMinor: number): string {
    const known = Object.keys(VSPHERE_CPI_CHART).map(Number).sort((a, b) => a - b);
    return VSPHERE_CPI_CHART[kubernetesMinor] ?? VSPHERE_CPI_CHART[known[known.length - 1]];
}

export const SERVICE_CATALOG: Readonly<Record<string, CatalogService>> = {
    "cert-manager": helmService("cert-manager", { namespace: "cert-manager", release: "cert-manager", defaultEnabled: true, summary: "TLS certificates (ACME, private CA)" }),
    "external-snapshotter": {
        origin: "gitops-base", namespace: "external-snapshotter", defaultEnabled: true, dependsOn: [], requiredSecrets: [], helmValues: [], shared: [],
        // Remote kustomize bases (CRDs and snapshot-controller at v8.2.1): no HelmRelease; Flux waits for everything applied.
        stages: [{ name: "external-snapshotter-base", path: base("external-snapshotter"), targetNamespace: "external-snapshotter", healthChecks: [] }],
        summary: "VolumeSnapshot CRDs and snapshot-controller",
    },
    "gateway-api": helmService("gateway-api", { namespace: "envoy-gateway-system", release: "envoy-gateway-api", secret: "envoy-gateway-api-values-override", defaultEnabled: true, summary: "Envoy Gateway (Gateway API)" }),
    harbor: helmService("harbor", { namespace: "harbor", release: "harbor", defaultEnabled: false, dependsOn: ["cert-manager"], requiredSecrets: ["adminPassword"], secretValuePaths: { adminPassword: "harborAdminPassword" }, summary: "Container registry" }),
    headlamp: helmService("headlamp", { namespace: "headlamp", release: "headlamp", defaultEnabled: true, dependsOn: ["keycloak"], requiredSecrets: ["oidcClientSecret"], secretValuePaths: { oidcClientSecret: "config.oidc.clientSecret" }, summary: "Kubernetes dashboard (OIDC through keycloak)" }),
    istio: {
        origin: "gitops-base", namespace: "istio-system", defaultEnabled: false, dependsOn: [], requiredSecrets: [], shared: [],
        helmValues: [override("istio-base", "istio-system", "istio-base-values-override", "base"), override("istiod", "istio-system", "istiod-values-override", "istiod"), override("istio-gateway", "istio-system", "istio-gateway-values-override", "gateway")],
        stages: [
            { name: "istio-namespace", path: base("istio/namespace"), targetNamespace: "istio-system", healthChecks: [] },
            { name: "istio-sources", path: base("istio/sources"), targetNamespace: "istio-system", healthChecks: [] },
            { name: "istio-base", path: base("istio/base"), targetNamespace: "istio-system", healthChecks: [helmRelease("istio-base", "istio-system")] },
            { name: "istiod", path: base("istio/istiod"), targetNamespace: "istio-system", healthChecks: [helmRelease("istiod", "istio-system")] },
            { name: "istio-gateway", path: base("istio/gateway"), targetNamespace: "istio-system", healthChecks: [helmRelease("istio-gateway", "istio-system")] },
        ],
        summary: "Service mesh: CRDs, istiod, ingress gateway (values keyed base, istiod, gateway)",
    },
    keycloak: {
        origin: "gitops-base", namespace: "keycloak", defaultEnabled: true, dependsOn: ["olm", "postgres-operator", "gateway-api", "cert-manager", "rbac-manager"],
        requiredSecrets: [], helmValues: [], shared: [],
        // No HelmRelease: `values` are a merge patch on the Keycloak custom resource (hostname, instances, …).
        patchValues: { stage: "keycloak-cr", target: { group: "k8s.keycloak.org", version: "v2alpha1", kind: "Keycloak", name: "keycloak", namespace: "keycloak" } },
        stages: [
            { name: "keycloak-postgres", path: base("keycloak/00-postgres"), targetNamespace: "keycloak", healthChecks: [], needs: ["postgres-operator"] },
            {
                name: "keycloak-operator", path: base("keycloak/10-operator"), targetNamespace: "keycloak", needs: ["olm"],
                healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "keycloak-operator", namespace: "keycloak", createdBy: { operator: "OLM (the Subscription, after its InstallPlan is approved)", documentedIn: "docs/how-to/olm-service-onboarding.md" } }],
            },
            {
                name: "keycloak-cr", path: base("keycloak/20-keycloak"), targetNamespace: "keycloak", needs: ["gateway-api", "cert-manager"],
                healthChecks: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "keycloak", namespace: "keycloak", createdBy: { operator: "the Keycloak operator", documentedIn: "docs/how-to/olm-service-onboarding.md" } }],
            },
            { name: "keycloak-oidc-rbac", path: base("keycloak/30-oidc-rbac"), targetNamespace: "keycloak", healthChecks: [], needs: ["rbac-manager"] },
        ],
        summary: "OIDC provider: postgres → operator (OLM, InstallPlan approved by hand) → Keycloak → OIDC RBAC",
    },
    kyverno: {
        origin: "gitops-base", namespace: "kyverno", defaultEnabled: true, dependsOn: [], requiredSecrets: [], shared: [],
        helmValues: [override("kyverno", "kyverno")],
        stages: [
            { name: "kyverno-policy-engine", path: base("kyverno/policy-engine"), targetNamespace: "kyverno", healthChecks: [helmRelease("kyverno", "kyverno")] },
            { name: "kyverno-default-ruleset", path: base("kyverno/default-ruleset"), targetNamespace: "kyverno", healthChecks: [] },
        ],
        summary: "Admission policies: the 17 Pod Security ClusterPolicies (Audit)",
    },
    longhorn: helmService("longhorn", { namespace: "longhorn-system", release: "longhorn", defaultEnabled: false, summary: "Distributed block storage" }),
    metallb: helmService("metallb", { namespace: "metallb-system", release: "metallb", defaultEnabled: false, summary: "LoadBalancer addresses on bare metal" }),
    olm: {
        origin: "gitops-base", namespace: "olm", defaultEnabled: true, dependsOn: [], requiredSecrets: [], helmValues: [], shared: [],
        // Remote manifests (OLM v0.34.0 release assets) spanning the olm and operators namespaces: no
        // targetNamespace; Flux waits for everything applied.
        stages: [{ name: "olm-base", path: base("olm"), healthChecks: [] }],
        summary: "Operator Lifecycle Manager (for the Keycloak operator)",
    },
    "openstack-ccm": helmService("openstack-ccm", {
        namespace: "openstack-ccm", release: "openstack-cloud-controller-manager", defaultEnabled: ["openstack"],
        // Secret values become cloud.conf (spec/cloud.ts cloudServiceValues).
        requiredSecrets: ["authUrl", "region", "applicationCredentialId", "applicationCredentialSecret"],
        summary: "OpenStack cloud controller (node addresses, Octavia LoadBalancers)",
    }),
    "openstack-csi": helmService("openstack-csi", {
        namespace: "openstack-csi", release: "openstack-cinder-csi", defaultEnabled: ["openstack"], dependsOn: ["openstack-ccm", "external-snapshotter"],
        requiredSecrets: ["authUrl", "region", "applicationCredentialId", "applicationCredentialSecret"],
        summary: "Cinder CSI; default StorageClass csi-cinder-sc-delete",
    }),
    "postgres-operator": helmService("postgres-operator", { namespace: "postgres-operator", release: "postgres-operator", defaultEnabled: true, summary: "Zalando Postgres operator (keycloak's database)" }),
    "rbac-manager": helmService("rbac-manager", { namespace: "rbac-system", release: "rbac-manager", defaultEnabled: true, summary: "RBACDefinitions (keycloak's OIDC groups)" }),
    "sealed-secrets": helmService("sealed-secrets", { namespace: "sealed-secrets", release: "sealed-secrets", defaultEnabled: false, summary: "Sealed Secrets controller" }),
    "strimzi-kafka-operator": helmService("strimzi-kafka-operator", { namespace: "kafka-system", release: "strimzi-kafka-operator", secret: "kafka-api-values-override", defaultEnabled: false, summary: "Kafka operator" }),
    velero: helmService("velero", { namespace: "velero", release: "velero", defaultEnabled: true, dependsOn: ["external-snapshotter"], summary: "Backup and restore (backup.schedules, backup.restore)" }),
    "vsphere-csi": helmService("vsphere-csi", {
        namespace: "vmware-system-csi", release: "vsphere-csi", defaultEnabled: ["vsphere"], dependsOn: ["external-snapshotter"],
        requiredSecrets: ["server", "username", "password"],
        summary: "vSphere CSI; default StorageClass vsphere-csi",
    }),
    "kube-prometheus-stack": helmService("kube-prometheus-stack", {
        namespace: "observability", path: base("observability/kube-prometheus-stack"), release: "kube-prometheus-stack", defaultEnabled: true, dependsOn: ["cert-manager"],
        requiredSecrets: ["grafanaAdminPassword"], secretValuePaths: { grafanaAdminPassword: "grafana.adminPassword" }, shared: ["observability-namespace"],
        summary: "Prometheus, Alertmanager, Grafana",
    }),
    loki: helmService("loki", { namespace: "observability", path: base("observability/loki"), release: "loki", defaultEnabled: true, dependsOn: ["kube-prometheus-stack"], shared: OBSERVABILITY, summary: "Logs" }),
    mimir: helmService("mimir", { namespace: "observability", path: base("observability/mimir"), release: "mimir", defaultEnabled: false, dependsOn: ["kube-prometheus-stack"], shared: OBSERVABILITY, summary: "Long-term metrics" }),
    tempo: helmService("tempo", { namespace: "observability", path: base("observability/tempo"), release: "tempo", defaultEnabled: true, dependsOn: ["kube-prometheus-stack"], shared: OBSERVABILITY, summary: "Traces" }),
    "opentelemetry-kube-stack": helmService("opentelemetry-kube-stack", {
        namespace: "observability", path: base("observability/opentelemetry-kube-stack"), release: "opentelemetry-kube-stack", defaultEnabled: false, dependsOn: ["cert-manager"], shared: ["observability-namespace"],
        summary: "OpenTelemetry collectors",
    }),
    "vsphere-cpi": {
        origin: "chart", namespace: "kube-system", defaultEnabled: ["vsphere"], dependsOn: [], requiredSecrets: ["server", "username", "password"],
        helmValues: [override("vsphere-cpi", "kube-system")],
        chart: { repository: "https://kubernetes.github.io/cloud-provider-vsphere", chart: "vsphere-cpi", version: vsphereCpiChartVersion, helmRelease: "vsphere-cpi" },
        summary: "vSphere cloud controller (node ProviderIDs, which vsphere-csi needs); not in gitops-base",
    },
    "harvester-cloud-provider": {
        origin: "chart", namespace: "kube-system", defaultEnabled: ["harvester"], dependsOn: [], requiredSecrets: [],
        helmValues: [override("harvester-cloud-provider", "kube-system")],
        chart: { repository: "https://charts.harvesterhci.io", chart: "harvester-cloud-provider", version: "0.2.15", helmRelease: "harvester-cloud-provider" },
        summary: "Harvester cloud controller (LoadBalancer Services from Harvester IP pools); not in gitops-base",
    },
    "harvester-csi-driver": {
        origin: "chart", namespace: "kube-system", defaultEnabled: ["harvester"], dependsOn: [], requiredSecrets: [],
        helmValues: [override("harvester-csi-driver", "kube-system")],
        chart: { repository: "https://charts.harvesterhci.io", chart: "harvester-csi-driver", version: "0.1.28", helmRelease: "harvester-csi-driver" },
        summary: "Harvester CSI (volumes from the host cluster's storage); default StorageClass harvester; not in gitops-base",
    },
    "etcd-backup": {
        origin: "program", namespace: "kube-system", defaultEnabled: true, dependsOn: [], requiredSecrets: [], helmValues: [],
        summary: "Daily etcd snapshot to backup.storage (CronJob etcd-backup; needs backup.storage)",
    },
};

/**
 * `pod-security.kubernetes.io/enforce` of the namespaces gitops-base 2026.01 labels (their `namespace.yaml`;
 * checked against the tree in test/components/gitops-base.test.ts). Every other namespace of a gitops-base
 * service carries no label there, so Pod Security admission enforces the cluster default
 * (`kubernetes.podSecurity.level`) on it unless it is exempt. olm's namespaces come from remote manifests
 * (OLM's release assets) and are not known offline.
 */
export const UPSTREAM_NAMESPACE_ENFORCE: Readonly<Record<string, "privileged" | "baseline" | "restricted">> = {
    "longhorn-system": "privileged",
    "metallb-system": "privileged",
    observability: "privileged",
    "openstack-ccm": "privileged",
    "openstack-csi": "privileged",
    velero: "privileged",
    "vmware-system-csi": "privileged",
};

/** Namespaces whose labels come from remote manifests, unknown offline. */
export const REMOTE_NAMESPACES: ReadonlySet<string> = new Set(["olm"]);

/**
 * Approves the Keycloak operator's pending InstallPlan: gitops-base's Subscription `keycloak/keycloak-subscription`
 * (`keycloak/10-operator/subscription.yaml`) has `installPlanApproval: Manual`, so OLM installs nothing until
 * someone approves the InstallPlan it names in `status.installPlanRef`.
 */
export const KEYCLOAK_INSTALL_PLAN_APPROVAL =
    `kubectl -n keycloak patch installplan "$(kubectl -n keycloak get subscription keycloak-subscription -o jsonpath='{.status.installPlanRef.name}')" --type merge -p '{"spec":{"approved":true}}'`;

/** What a person must do by hand for the enabled services, as `plan` prints it. */
export function manualServiceSteps(enabled: readonly string[]): string[] {
    return enabled.includes("keycloak")
        ? [`keycloak: its operator waits for a manual InstallPlan approval (gitops-base installPlanApproval: Manual); once Flux has applied keycloak-operator, approve it: ${KEYCLOAK_INSTALL_PLAN_APPROVAL}`]
        : [];
}

export const SERVICE_NAMES: readonly string[] = Object.keys(SERVICE_CATALOG).sort();

export function isEnabledByDefault(service: CatalogService, provider: Provider): boolean {
    return typeof service.defaultEnabled === "boolean" ? service.defaultEnabled : service.defaultEnabled.includes(provider);
}

/** The Kustomization a dependent waits for: the service's last stage. */
export function readyStage(service: CatalogService): string | undefined {
    return service.origin === "gitops-base" ? service.stages[service.stages.length - 1].name : undefined;
}
