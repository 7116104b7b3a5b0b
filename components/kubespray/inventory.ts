/**
 * Kubespray's inventory and group_vars, rendered from the spec and the NodeSet. Pure: the same text
 * for the same stack, checked by Debian's `ansible-inventory` in the tests and written by
 * `npm run plan` to out/<stack>/kubespray/.
 */
import { stringify } from "yaml";
import { kubesprayKubeVersion, type ClusterSpec, type PlannedNode } from "../../spec";

export interface InventoryHost {
    readonly name: string;
    readonly address: string;
    readonly role: "control-plane" | "worker";
    /** etcd member number (1-based) for control-plane nodes. */
    readonly etcdIndex?: number;
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

export function hostsOf(nodes: readonly PlannedNode[]): InventoryHost[] {
    let etcd = 0;
    return nodes.map((node) => ({
        name: node.name, address: node.address, role: node.role,
        etcdIndex: node.role === "control-plane" ? ++etcd : undefined,
    }));
}

/** SSH options: through the bastion when there is one, with a per-cluster known_hosts file. */
export function sshArgs(user: string, bastionHost: string | undefined): string {
    const common = "-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile={{ kubespray_known_hosts }} -o ServerAliveInterval=30";
    if (!bastionHost) {
        return common;
    }
    const proxy = `ssh -W %h:%p -q -i {{ ansible_ssh_private_key_file }} ${common} ${user}@${bastionHost}`;
    return `${common} -o ProxyCommand="${proxy}"`;
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
            hosts: Object.fromEntries(hosts.map((h) => [h.name, {
                ansible_host: h.address,
                ip: h.address,
                access_ip: h.address,
                ...(h.etcdIndex !== undefined ? { etcd_member_name: `etcd${h.etcdIndex}` } : {}),
            }])),
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

function networkPluginVars(spec: ClusterSpec): Record<string, unknown> {
    const { plugin, mode, version } = spec.kubernetes.network;
    switch (plugin) {
        case "calico":
            return {
                calico_network_backend: mode === "ipip" ? "bird" : mode === "none" ? "bird" : "vxlan",
                calico_vxlan_mode: mode === "vxlan" ? "Always" : "Never",
                calico_ipip_mode: mode === "ipip" ? "Always" : "Never",
                ...(version ? { calico_version: `v${version}` } : {}),
            };
        case "cilium":
            return {
                cilium_tunnel_mode: mode === "native" ? "disabled" : mode,
                ...(mode === "native" ? { cilium_auto_direct_node_routes: true, cilium_native_routing_cidr: spec.kubernetes.podSubnet } : {}),
                ...(version ? { cilium_version: `v${version}` } : {}),
            };
        case "kube-ovn":
            return {
                kube_ovn_network_type: mode === "vxlan" ? "vxlan" : "geneve",
                ...(version ? { kube_ovn_version: `v${version}` } : {}),
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

export function renderClusterVars(ctx: InventoryContext): string {
    const { spec } = ctx;
    const k8s = spec.kubernetes;
    const sans = [...new Set([spec.infrastructure.network.apiVip, spec.infrastructure.apiEndpoint.dnsName, ctx.apiHost].filter((v): v is string => Boolean(v)))].sort();
    const vars: Record<string, unknown> = {
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
        ...spec.kubespray.extraVars,
    };
    return stringify(vars, { lineWidth: 0, sortMapEntries: false });
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

export function renderAddonsVars(ctx: InventoryContext): string {
    return stringify({
        ...apiEndpointVars(ctx),
        helm_enabled: false,
        metrics_server_enabled: true,
        ingress_nginx_enabled: false,
        cert_manager_enabled: false,
        metallb_enabled: false,
        argocd_enabled: false,
    }, { lineWidth: 0 });
}

/** Cluster-wide settings. Drain settings are not here: the runner passes them to the runs that drain. */
export function renderAllVars(ctx: InventoryContext): string {
    return stringify({
        upstream_dns_servers: [...ctx.spec.infrastructure.network.dnsServers],
        ntp_enabled: true,
        ntp_manage_config: true,
        ntp_servers: ctx.spec.infrastructure.network.ntpServers.map((server) => `${server} iburst`),
        upgrade_node_confirm: false,
        upgrade_node_post_upgrade_confirm: false,
    }, { lineWidth: 0 });
}

/** Every file of the inventory directory, by relative path. */
export function renderInventory(ctx: InventoryContext, hosts: readonly InventoryHost[] = hostsOf(ctx.spec.nodes)): Record<string, string> {
    return {
        [INVENTORY_FILE]: renderHosts(ctx, hosts),
        [ALL_VARS_FILE]: renderAllVars(ctx),
        [CLUSTER_VARS_FILE]: renderClusterVars(ctx),
        [ADDONS_VARS_FILE]: renderAddonsVars(ctx),
    };
}
