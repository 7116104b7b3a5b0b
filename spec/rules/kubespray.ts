/**
 * `kubespray.extraVars`: a few harmless Kubespray tuning variables, and nothing that could take over
 * the machine that runs `pulumi up`, the nodes, or what the spec decides.
 *
 * A deny-list cannot do this: Kubespray has about 1,600 documented variables, and many that look
 * harmless run commands (`image_info_command_on_localhost` is run by `shell:` on localhost when
 * `download_run_once` and `download_localhost` are set), read files on the machine running Ansible
 * (`credentials_dir`, `artifacts_dir` with `kubeconfig_localhost`), or weaken the cluster
 * (`kube_encryption_algorithm`, `kube_read_only_port`, `etcd_peer_client_auth`). So only the names in
 * ALLOWED_EXTRA_VARS are accepted. Ansible's `!unsafe` tag (components/kubespray/inventory.ts) still
 * keeps every accepted string from being templated, but it does not stop Kubespray from handing a value
 * to a `shell:`; the list does.
 *
 * Values: a boolean, a finite number, a short string of letters, digits, spaces and `. _ : / % + = , @ -`
 * (no Jinja, no quote, brace, `#`, `$`, `;`, line break or control character, so a value cannot start
 * a template, a YAML structure or a second shell word), or a list or a one-level map of those.
 */
import { unsafeTextProblem } from "../text";
import type { RuleContext } from "./context";

/**
 * The Kubespray variables `kubespray.extraVars` may set (Kubespray v2.31.0). How they were chosen:
 * 1. documented: defined in `inventory/sample/group_vars/**` or a role's `defaults/` (commented or not);
 * 2. minus every variable the release uses, directly or through another variable defined from it, in a
 *    `shell:`/`command:`/`raw:`/`script:` task, a shell-script template, a `lookup()`/`query()`, or a
 *    task or play on localhost (`delegate_to: localhost`, `connection: local`, `hosts: localhost`);
 * 3. minus paths, directories, URLs, images, checksums, command lines and extra flags or arguments
 *    (`*_dir`, `*_path`, `*_url`, `*_image_*`, `*_args`, `*_flags`…);
 * 4. minus everything that touches security: authentication, authorization, encryption, TLS and
 *    certificates, ports and bind addresses, audit, pod security, admission, anonymous access, tokens;
 * 5. minus what the spec (SPEC_OWNED_VARS) or the runner (RUNNER_OWNED_VARS) sets;
 * 6. of what is left, the tuning knobs operators ask for: log levels, etcd and control-plane timings,
 *    kubelet limits and reservations, kube-proxy timings, and resources of DNS and the network plugin.
 * test/spec/extra-vars.test.ts reads the real release and proves 1, 2, 3 and 5 for every name here.
 * A name is added by adding it here; the test then checks it against the release.
 */
export const ALLOWED_EXTRA_VARS: readonly string[] = [
    // logging
    "kube_log_level", "etcd_log_level",
    // etcd
    "etcd_heartbeat_interval", "etcd_election_timeout", "etcd_snapshot_count", "etcd_quota_backend_bytes", "etcd_compaction_retention",
    // control plane
    "kube_apiserver_request_timeout", "kube_apiserver_pod_eviction_not_ready_timeout_seconds", "kube_apiserver_pod_eviction_unreachable_timeout_seconds",
    "event_ttl_duration", "kube_controller_node_monitor_grace_period", "kube_controller_node_monitor_period", "kube_controller_terminated_pod_gc_threshold",
    "kube_scheduler_leader_elect_lease_duration", "kube_scheduler_leader_elect_renew_deadline",
    // kubelet
    "kubelet_max_pods", "kubelet_pod_pids_limit", "kubelet_status_update_frequency", "kubelet_event_record_qps",
    "kubelet_logfiles_max_nr", "kubelet_logfiles_max_size", "kubelet_shutdown_grace_period", "kubelet_shutdown_grace_period_critical_pods",
    "kube_reserved", "kube_memory_reserved", "kube_cpu_reserved", "kube_ephemeral_storage_reserved", "kube_pid_reserved",
    "system_reserved", "system_memory_reserved", "system_cpu_reserved", "system_ephemeral_storage_reserved", "system_pid_reserved",
    "eviction_hard", "eviction_hard_control_plane",
    // kube-proxy
    "kube_proxy_scheduler", "kube_proxy_sync_period", "kube_proxy_min_sync_period",
    "kube_proxy_conntrack_tcp_established_timeout", "kube_proxy_conntrack_tcp_close_wait_timeout",
    // cluster DNS
    "dns_min_replicas", "dns_cpu_limit", "dns_memory_limit", "dns_cpu_requests", "dns_memory_requests",
    "nodelocaldns_cpu_requests", "nodelocaldns_memory_limit", "nodelocaldns_memory_requests",
    // network plugins and add-ons
    "calico_node_cpu_limit", "calico_node_memory_limit", "calico_node_cpu_requests", "calico_node_memory_requests",
    "cilium_operator_replicas", "cilium_cpu_limit", "cilium_memory_limit", "cilium_cpu_requests", "cilium_memory_requests",
    "metrics_server_replicas",
];

/**
 * Every variable the program's inventory renders (host variables, group_vars), whatever the stack, with
 * the spec field it comes from: `renderedVariableNames()` in components/kubespray/inventory.ts over every
 * variant; a test keeps the two equal.
 */
export const SPEC_OWNED_VAR_FIELDS: Readonly<Record<string, string>> = {
    access_ip: "the node addresses (infrastructure)", ansible_host: "the node addresses (infrastructure)", ip: "the node addresses (infrastructure)",
    etcd_member_name: "the node names (infrastructure)", node_labels: "infrastructure.workerPools[].labels", node_taints: "infrastructure.workerPools[].taints",
    ansible_python_interpreter: "the program (always /usr/bin/python3)", ansible_ssh_common_args: "infrastructure.ssh and infrastructure.bastion", ansible_user: "infrastructure.ssh.user",
    argocd_enabled: "services (Flux runs the platform services)", cert_manager_enabled: "services", helm_enabled: "services", metallb_enabled: "services",
    metrics_server_enabled: "services", auto_renew_certificates: "kubernetes.autoRenewCertificates",
    calico_ipip_mode: "kubernetes.network.mode", calico_network_backend: "kubernetes.network.mode", calico_vxlan_mode: "kubernetes.network.mode",
    cilium_auto_direct_node_routes: "kubernetes.network.mode", cilium_native_routing_cidr: "kubernetes.network.mode and kubernetes.podSubnet",
    cilium_tunnel_mode: "kubernetes.network.mode", kube_ovn_network_type: "kubernetes.network.mode",
    calico_version: "kubernetes.network.version", cilium_version: "kubernetes.network.version", kube_ovn_version: "kubernetes.network.version",
    kube_network_plugin: "kubernetes.network.plugin",
    cloud_provider: "services (the cloud controller)", external_cloud_provider: "services (the cloud controller)", dns_extra_tolerations: "services (the cloud controller)",
    cluster_name: "kubernetes.clusterDomain", container_manager: "kubernetes.containerRuntime", dns_mode: "the program (always coredns)",
    etcd_deployment_type: "the program (always host)", kube_apiserver_port: "kubernetes.apiPort", kube_encrypt_secret_data: "kubernetes.encryptionAtRest",
    kube_network_node_prefix: "kubernetes.nodePrefix", kube_pods_subnet: "kubernetes.podSubnet", kube_service_addresses: "kubernetes.serviceSubnet",
    kube_proxy_mode: "kubernetes.proxyMode", kube_proxy_strict_arp: "infrastructure.apiEndpoint.type", kube_version: "kubernetes.version",
    kubernetes_audit: "kubernetes.auditLogging",
    kube_oidc_auth: "kubernetes.oidc.enabled", kube_oidc_client_id: "kubernetes.oidc.clientId", kube_oidc_groups_claim: "kubernetes.oidc.groupsClaim",
    kube_oidc_groups_prefix: "kubernetes.oidc.groupsPrefix", kube_oidc_url: "kubernetes.oidc.issuerUrl", kube_oidc_username_claim: "kubernetes.oidc.usernameClaim",
    kube_oidc_username_prefix: "kubernetes.oidc.usernamePrefix",
    kube_pod_security_default_audit: "kubernetes.podSecurity", kube_pod_security_default_enforce: "kubernetes.podSecurity.level",
    kube_pod_security_default_warn: "kubernetes.podSecurity", kube_pod_security_exemptions_namespaces: "kubernetes.podSecurity.exemptNamespaces",
    kube_pod_security_use_default: "kubernetes.podSecurity",
    kube_vip_address: "infrastructure.network.apiVip", kube_vip_arp_enabled: "infrastructure.apiEndpoint.type", kube_vip_controlplane_enabled: "infrastructure.apiEndpoint.type",
    kube_vip_enabled: "infrastructure.apiEndpoint.type", kube_vip_interface: "infrastructure.apiEndpoint.interface", kube_vip_services_enabled: "infrastructure.apiEndpoint.type",
    loadbalancer_apiserver: "infrastructure.network.apiVip and kubernetes.apiPort", loadbalancer_apiserver_localhost: "infrastructure.network.apiVip",
    supplementary_addresses_in_ssl_keys: "infrastructure.network.apiVip and infrastructure.apiEndpoint.dnsName",
    ntp_enabled: "infrastructure.network.ntpServers", ntp_manage_config: "infrastructure.network.ntpServers", ntp_servers: "infrastructure.network.ntpServers",
    upstream_dns_servers: "infrastructure.network.dnsServers",
    upgrade_node_confirm: "the program (upgrades never wait for a person at a prompt)", upgrade_node_post_upgrade_confirm: "the program (upgrades never wait for a person at a prompt)",
};

/** The names of SPEC_OWNED_VAR_FIELDS. */
export const SPEC_OWNED_VARS: readonly string[] = Object.keys(SPEC_OWNED_VAR_FIELDS).sort();

/**
 * Variables the runner passes to individual runs (extra vars win over group_vars, so these would be
 * ignored at best): node removal, drains and upgrade batches are the spec's (operations.*).
 */
export const RUNNER_OWNED_VARS: readonly string[] = [
    "node", "skip_confirmation", "reset_nodes", "allow_ungraceful_removal", "serial", "drain_nodes", "drain_grace_period",
    "drain_timeout", "drain_retries", "ignore_assert_errors", "etcd_retries", "kubespray_known_hosts", "upgrade_cluster_setup",
];

/** Where a person finds the allowed names (said in every refusal of a name). */
export const ALLOWED_EXTRA_VARS_WHERE = "ALLOWED_EXTRA_VARS in spec/rules/kubespray.ts (README \"Kubespray runs\")";

/** Jinja's delimiters, opening and closing: each one found is named in the refusal. */
const JINJA_DELIMITERS = ["{{", "}}", "{%", "%}", "{#", "#}"] as const;

/** What a string value may hold: see the file comment. */
const VALUE_CHARACTERS = /^[A-Za-z0-9 ._:/%+=,@-]*$/;
const VALUE_CHARACTERS_TEXT = "letters, digits, spaces and . _ : / % + = , @ -";

/** Every problem of one string value (at `path`), all at once. */
function stringProblems(value: string): string[] {
    const problems: string[] = [];
    const delimiters = JINJA_DELIMITERS.filter((delimiter) => value.includes(delimiter));
    if (delimiters.length > 0) {
        problems.push(`contains the Jinja delimiter${delimiters.length > 1 ? "s" : ""} ${delimiters.map((d) => `"${d}"`).join(", ")}, which Ansible would evaluate or Kubespray would paste into a template; write the literal value`);
    }
    const unsafe = unsafeTextProblem(value);
    if (unsafe) {
        problems.push(unsafe);
    } else if (!VALUE_CHARACTERS.test(value)) {
        // Named without the Jinja characters already reported, each at most once, as JSON so nothing is interpreted.
        const others = [...new Set([...value].filter((c) => !VALUE_CHARACTERS.test(c)))]
            .filter((c) => delimiters.length === 0 || !"{}%#".includes(c));
        if (others.length > 0) {
            problems.push(`contains ${others.slice(0, 8).map((c) => JSON.stringify(c)).join(", ")}; a value may contain only ${VALUE_CHARACTERS_TEXT}`);
        }
    }
    return problems;
}

/** The strings of a value (a scalar, a list or a one-level map), each with its path. */
function strings(value: unknown, path: string): [string, string][] {
    if (typeof value === "string") return [[path, value]];
    if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${path}[${i}]`));
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => strings(item, `${path}.${key}`));
    return [];
}

/** Why `key` may not be set through extraVars, or undefined when it may. */
export function extraVarNameProblem(key: string): string | undefined {
    if (ALLOWED_EXTRA_VARS.includes(key)) {
        return undefined;
    }
    if (Object.hasOwn(SPEC_OWNED_VAR_FIELDS, key)) {
        return `is set by the program from ${SPEC_OWNED_VAR_FIELDS[key]}; change that instead of overriding it here`;
    }
    if (RUNNER_OWNED_VARS.includes(key)) {
        return "is set by the runner for one run from operations.* (drain, upgrade, removal); change those fields instead";
    }
    if (key.startsWith("ansible_")) {
        return `ansible_* variables set how Ansible connects and runs commands; they are not allowed in extraVars (the allowed names are ${ALLOWED_EXTRA_VARS_WHERE})`;
    }
    return `is not one of the Kubespray variables extraVars may set; the allowed names are ${ALLOWED_EXTRA_VARS_WHERE}`;
}

export function extraVarsAreSafe(ctx: RuleContext): void {
    for (const [key, value] of Object.entries(ctx.config.kubespray.extraVars)) {
        const path = `kubespray.extraVars.${key}`;
        const nameProblem = extraVarNameProblem(key);
        if (nameProblem) {
            ctx.error(path, nameProblem);
        }
        for (const [at, text] of strings(value, path)) {
            for (const problem of stringProblems(text)) {
                ctx.error(at, problem);
            }
        }
    }
}
