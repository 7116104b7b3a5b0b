/**
 * Kubespray's inventory and group_vars, rendered from the spec and the NodeSet. Pure: the same text
 * for the same stack (maps sorted, so key order in the stack file never matters), read by Debian's
 * `ansible-inventory` in the tests and written by `npm run plan` to out/<stack>/kubespray/.
 *
 * Variable names are Kubespray v2.31.0's (`../shared/upstream/kubespray-v2.31.0/`): the inventory
 * groups of `inventory/sample/inventory.ini`, `node_labels`/`node_taints` of roles/kubernetes/node-label
 * and node-taint, the rest from roles/kubespray_defaults and the roles that read them. A test renders
 * every variant and checks each name against that tree.
 */
import { Scalar, stringify } from "yaml";
import { cloudProviderKubesprayVars } from "../../spec/cloud";
import { kubesprayKubeVersion, type ClusterSpec, type PlannedNode } from "../../spec";

export interface InventoryHost {
    readonly name: string;
    readonly address: string;
    readonly role: "control-plane" | "worker";
    /** etcd member number (1-based) for control-plane nodes. */
    readonly etcdIndex?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly taints?: PlannedNode["taints"];
}

export interface InventoryContext {
    readonly spec: ClusterSpec;
    /** Jump host address when nodes are reachable only through one. */
    readonly bastionHost?: string;
    /** Host (name or address) clients use for the API. */
    readonly apiHost: string;
}

/** Where each file goes below the inventory directory. */
export const INVENTORY_FILE = "hosts.yaml";
export const CLUSTER_VARS_FILE = "group_vars/k8s_cluster/k8s-cluster.yml";
export const ADDONS_VARS_FILE = "group_vars/k8s_cluster/addons.yml";
export const ALL_VARS_FILE = "group_vars/all/all.yml";

/**
 * Rendered variables the control-plane static pods are made of: each is read by
 * roles/kubernetes/control-plane (kubeadm-config.v1beta4.yaml.j2, the admission, audit, encryption and
 * authentication configs), directly or through a kubespray_defaults variable derived from it
 * (kube_pods_subnet → kube_pods_subnets, kube_service_addresses → kube_service_subnets). Changing one
 * needs `upgrade_cluster_setup` (upgrade-cluster.yml) to reach the running API servers: cluster.yml
 * only rewrites kubeadm-config.yaml. test/kubespray/upstream.test.ts checks this list against the tree.
 */
export const CONTROL_PLANE_VARS: ReadonlySet<string> = new Set([
    "auto_renew_certificates", "cluster_name", "container_manager", "dns_mode", "etcd_deployment_type", "kube_apiserver_port",
    "kube_encrypt_secret_data", "kube_network_node_prefix", "kube_network_plugin", "kube_oidc_auth", "kube_oidc_client_id",
    "kube_oidc_groups_claim", "kube_oidc_groups_prefix", "kube_oidc_url", "kube_oidc_username_claim", "kube_oidc_username_prefix",
    "kube_pod_security_default_audit", "kube_pod_security_default_enforce", "kube_pod_security_default_warn",
    "kube_pod_security_exemptions_namespaces", "kube_pod_security_use_default", "kube_pods_subnet", "kube_proxy_mode",
    "kube_proxy_strict_arp", "kube_service_addresses", "kube_version", "kube_vip_address", "kubernetes_audit",
    "loadbalancer_apiserver", "loadbalancer_apiserver_localhost", "supplementary_addresses_in_ssl_keys", "cloud_provider",
]);

export function hostsOf(nodes: readonly PlannedNode[]): InventoryHost[] {
    let etcd = 0;
    return nodes.map((node) => ({
        name: node.name, address: node.address, role: node.role,
        etcdIndex: node.role === "control-plane" ? ++etcd : undefined,
        labels: node.labels, taints: node.taints,
    }));
}

/**
 * SSH options of the inventory: the jump through the bastion when there is one. The per-cluster
 * known_hosts file and host key checking are set by the runner for the outer connection
 * (ANSIBLE_SSH_ARGS, which Kubespray's ansible.cfg `ssh_args` would otherwise set to
 * `UserKnownHostsFile=/dev/null`); the jump's own ssh gets them here.
 */
export function sshArgs(user: string, bastionHost: string | undefined): string {
    if (!bastionHost) {
        return "-o ServerAliveInterval=30";
    }
    const jump = "-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile={{ kubespray_known_hosts }} -o ServerAliveInterval=30";
    const proxy = `ssh -W %h:%p -q -i {{ ansible_ssh_private_key_file }} ${jump} ${user}@${bastionHost}`;
    return `-o ServerAliveInterval=30 -o ProxyCommand="${proxy}"`;
}

/** A node's taints in the form Kubespray's node-taint role passes to `kubectl taint` (key=value:Effect). */
export function taintArgument(taint: PlannedNode["taints"][number]): string {
    return `${taint.key}=${taint.value}:${taint.effect}`;
}

function hostVars(host: InventoryHost): Record<string, unknown> {
    const labels = host.labels ? sortKeys(host.labels) : {};
    const taints = (host.taints ?? []).map(taintArgument).sort();
    return {
        ansible_host: host.address,
        ip: host.address,
        access_ip: host.address,
        ...(host.etcdIndex !== undefined ? { etcd_member_name: `etcd${host.etcdIndex}` } : {}),
        ...(Object.keys(labels).length ? { node_labels: labels } : {}),
        ...(taints.length ? { node_taints: taints } : {}),
    };
}

export function renderHosts(ctx: InventoryContext, hosts: readonly InventoryHost[]): string {
    const { spec } = ctx;
    const controlPlane = hosts.filter((h) => h.role === "control-plane");
    const workers = hosts.filter((h) => h.role === "worker");
    // With no workers, control-plane nodes also run workloads (kube_node must not be empty).
    const kubeNode = workers.length > 0 ? workers : controlPlane;
    const names = (list: readonly InventoryHost[]) => Object.fromEntries(list.map((h) => [h.name, {}]));
    const document = {
        all: {
            vars: {
                ansible_user: spec.infrastructure.ssh.user,
                ansible_python_interpreter: "/usr/bin/python3",
                ansible_ssh_common_args: sshArgs(spec.infrastructure.ssh.user, ctx.bastionHost),
            },
            hosts: Object.fromEntries(hosts.map((h) => [h.name, hostVars(h)])),
            children: {
                kube_control_plane: { hosts: names(controlPlane) },
                etcd: { hosts: names(controlPlane) },
                kube_node: { hosts: names(kubeNode) },
                calico_rr: { hosts: {} },
                k8s_cluster: { children: { kube_control_plane: {}, kube_node: {}, calico_rr: {} } },
            },
        },
    };
    return stringify(document, { lineWidth: 0 });
}

/**
 * Network plugin settings. Since v2.28 Kubespray writes plugin versions without a leading "v"
 * (roles/kubespray_defaults/defaults/main/download.yml: `cilium_version: "1.19.3"`,
 * `kube_ovn_version: "1.12.21"`, `calico_version` from the calicoctl checksum keys such as 3.31.5, and
 * URLs such as `.../v{{ calico_version }}/...`), so the spec's version goes in as it is.
 */
function networkPluginVars(spec: ClusterSpec): Record<string, unknown> {
    const { plugin, mode, version } = spec.kubernetes.network;
    switch (plugin) {
        case "calico":
            return {
                calico_network_backend: mode === "ipip" ? "bird" : mode === "none" ? "bird" : "vxlan",
                calico_vxlan_mode: mode === "vxlan" ? "Always" : "Never",
                calico_ipip_mode: mode === "ipip" ? "Always" : "Never",
                ...(version ? { calico_version: version } : {}),
            };
        case "cilium":
            return {
                cilium_tunnel_mode: mode === "native" ? "disabled" : mode,
                ...(mode === "native" ? { cilium_auto_direct_node_routes: true, cilium_native_routing_cidr: spec.kubernetes.podSubnet } : {}),
                ...(version ? { cilium_version: version } : {}),
            };
        case "kube-ovn":
            return {
                kube_ovn_network_type: mode === "vxlan" ? "vxlan" : "geneve",
                ...(version ? { kube_ovn_version: version } : {}),
            };
    }
}

function apiEndpointVars(ctx: InventoryContext): Record<string, unknown> {
    const { spec } = ctx;
    const { apiEndpoint, network } = spec.infrastructure;
    const vip = network.apiVip;
    const lb = vip ? { loadbalancer_apiserver: { address: vip, port: spec.kubernetes.apiPort }, loadbalancer_apiserver_localhost: false } : {};
    if (apiEndpoint.type === "kube-vip") {
        return {
            ...lb,
            kube_vip_enabled: true,
            kube_vip_controlplane_enabled: true,
            kube_vip_arp_enabled: true,
            kube_vip_address: vip,
            kube_vip_interface: apiEndpoint.interface,
            kube_vip_services_enabled: false,
        };
    }
    return { ...lb, kube_vip_enabled: false };
}

/** The cluster's own settings (without extraVars). */
export function clusterVars(ctx: InventoryContext): Record<string, unknown> {
    const { spec } = ctx;
    const k8s = spec.kubernetes;
    const sans = [...new Set([spec.infrastructure.network.apiVip, spec.infrastructure.apiEndpoint.dnsName, ctx.apiHost].filter((v): v is string => Boolean(v)))].sort();
    return {
        cluster_name: k8s.clusterDomain,
        kube_version: kubesprayKubeVersion(spec.kubespray.version, k8s.version),
        kube_network_plugin: k8s.network.plugin,
        ...networkPluginVars(spec),
        kube_pods_subnet: k8s.podSubnet,
        kube_service_addresses: k8s.serviceSubnet,
        kube_network_node_prefix: k8s.nodePrefix,
        kube_apiserver_port: k8s.apiPort,
        kube_proxy_mode: k8s.proxyMode,
        // kube-vip answers ARP for the VIP; IPVS must not answer it too.
        kube_proxy_strict_arp: spec.infrastructure.apiEndpoint.type === "kube-vip",
        container_manager: k8s.containerRuntime,
        dns_mode: "coredns",
        etcd_deployment_type: "host",
        supplementary_addresses_in_ssl_keys: sans,
        kubernetes_audit: k8s.auditLogging,
        kube_encrypt_secret_data: k8s.encryptionAtRest,
        kube_pod_security_use_default: true,
        kube_pod_security_default_enforce: k8s.podSecurity.level,
        kube_pod_security_default_audit: "restricted",
        kube_pod_security_default_warn: "restricted",
        kube_pod_security_exemptions_namespaces: [...k8s.podSecurity.exemptNamespaces],
        auto_renew_certificates: k8s.autoRenewCertificates,
        ...oidcVars(spec),
        // An external cloud controller (spec/cloud.ts) needs kubelets and kubeadm started with `cloud-provider: external`.
        ...cloudProviderKubesprayVars(spec),
    };
}

/**
 * The stack file's `kubespray.extraVars`, sorted by key. The spec accepts only the tuning variables of
 * ALLOWED_EXTRA_VARS, with plain values (spec/rules/kubespray.ts); strings are still written with Ansible's
 * `!unsafe` tag so that Ansible never templates them, whatever they hold.
 */
export function extraVars(spec: ClusterSpec): Record<string, unknown> {
    // Maps inside (extraVars allow one level) are sorted too: key order in the stack file changes nothing.
    return Object.fromEntries(Object.entries(sortKeys(spec.kubespray.extraVars)).map(([key, value]) => [key,
        value !== null && typeof value === "object" && !Array.isArray(value) ? sortKeys(value as Record<string, unknown>) : value]));
}

function unsafeStrings(vars: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(vars).map(([key, value]) => [key, unsafeValue(value)]));
}

/** A string tagged `!unsafe`; in a list or a map (extraVars allow one level), each string. */
function unsafeValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unsafeValue);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unsafeValue(item)]));
    if (typeof value !== "string") return value;
    const scalar = new Scalar(value);
    scalar.tag = "!unsafe";
    scalar.type = Scalar.QUOTE_SINGLE;
    return scalar;
}

export function renderClusterVars(ctx: InventoryContext): string {
    return stringify({ ...clusterVars(ctx), ...unsafeStrings(extraVars(ctx.spec)) }, { lineWidth: 0 });
}

function oidcVars(spec: ClusterSpec): Record<string, unknown> {
    const oidc = spec.kubernetes.oidc;
    if (!oidc.enabled) {
        return { kube_oidc_auth: false };
    }
    return {
        kube_oidc_auth: true,
        kube_oidc_url: oidc.issuerUrl,
        kube_oidc_client_id: oidc.clientId,
        kube_oidc_username_claim: oidc.usernameClaim,
        kube_oidc_username_prefix: oidc.usernamePrefix,
        kube_oidc_groups_claim: oidc.groupsClaim,
        kube_oidc_groups_prefix: oidc.groupsPrefix,
    };
}

export function addonsVars(ctx: InventoryContext): Record<string, unknown> {
    return {
        ...apiEndpointVars(ctx),
        helm_enabled: false,
        metrics_server_enabled: true,
        cert_manager_enabled: false,
        metallb_enabled: false,
        argocd_enabled: false,
    };
}

/** Cluster-wide settings. Drain settings are not here: the runner passes them to the runs that drain. */
export function allVars(ctx: InventoryContext): Record<string, unknown> {
    return {
        upstream_dns_servers: [...ctx.spec.infrastructure.network.dnsServers],
        ntp_enabled: true,
        ntp_manage_config: true,
        ntp_servers: ctx.spec.infrastructure.network.ntpServers.map((server) => `${server} iburst`),
        upgrade_node_confirm: false,
        upgrade_node_post_upgrade_confirm: false,
    };
}

/** Every group_vars value the cluster gets, extraVars included: what the configuration digests cover. */
export function inventoryVars(ctx: InventoryContext): Record<string, unknown> {
    return { ...allVars(ctx), ...clusterVars(ctx), ...addonsVars(ctx), ...extraVars(ctx.spec) };
}

/** Names of every variable the program itself renders, host variables included (the spec's own keys). */
export function renderedVariableNames(ctx: InventoryContext, hosts: readonly InventoryHost[] = hostsOf(ctx.spec.nodes)): string[] {
    const hostKeys = hosts.flatMap((h) => Object.keys(hostVars(h)));
    const groupKeys = [...Object.keys(allVars(ctx)), ...Object.keys(clusterVars(ctx)), ...Object.keys(addonsVars(ctx))];
    return [...new Set([...hostKeys, ...groupKeys, "ansible_user", "ansible_python_interpreter", "ansible_ssh_common_args"])].sort();
}

/** Every file of the inventory directory, by relative path. */
export function renderInventory(ctx: InventoryContext, hosts: readonly InventoryHost[] = hostsOf(ctx.spec.nodes)): Record<string, string> {
    return {
        [INVENTORY_FILE]: renderHosts(ctx, hosts),
        [ALL_VARS_FILE]: stringify(allVars(ctx), { lineWidth: 0 }),
        [CLUSTER_VARS_FILE]: renderClusterVars(ctx),
        [ADDONS_VARS_FILE]: stringify(addonsVars(ctx), { lineWidth: 0 }),
    };
}

function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
