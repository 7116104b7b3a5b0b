/**
 * `kubespray.extraVars`: extra Kubespray variables, and nothing that could take over the program.
 *
 * Refused: Jinja (`{{`, `{%`, `{#`) in a key or a value (Ansible would evaluate it on the machine that
 * runs `pulumi up`, e.g. `{{ lookup('pipe', …) }}`), `ansible_*` keys (connection settings such as
 * `ansible_ssh_common_args` run commands at the first SSH), and every variable the program renders
 * itself (SPEC_OWNED_VARS: setting one would silently override the spec, e.g. `kube_version` past the
 * upgrade rules or `kube_encrypt_secret_data: false`). What remains is written with Ansible's `!unsafe`
 * tag, so it is never templated even if a check here were missed (components/kubespray/inventory.ts).
 */
import type { RuleContext } from "./context";

/**
 * Every variable the program's inventory renders (host variables, group_vars), whatever the stack:
 * `renderedVariableNames()` in components/kubespray/inventory.ts over every variant; a test keeps the
 * two equal. Set them through the spec field that owns them.
 */
export const SPEC_OWNED_VARS: readonly string[] = [
    "access_ip", "ansible_host", "ansible_python_interpreter", "ansible_ssh_common_args", "ansible_user",
    "argocd_enabled", "auto_renew_certificates", "calico_ipip_mode", "calico_network_backend", "calico_version", "calico_vxlan_mode",
    "cert_manager_enabled", "cilium_auto_direct_node_routes", "cilium_native_routing_cidr", "cilium_tunnel_mode", "cilium_version",
    "cloud_provider", "cluster_name", "container_manager", "dns_extra_tolerations", "dns_mode", "etcd_deployment_type", "external_cloud_provider", "etcd_member_name", "helm_enabled",
    "ip", "kube_apiserver_port", "kube_encrypt_secret_data", "kube_network_node_prefix", "kube_network_plugin", "kube_oidc_auth",
    "kube_oidc_client_id", "kube_oidc_groups_claim", "kube_oidc_groups_prefix", "kube_oidc_url", "kube_oidc_username_claim",
    "kube_oidc_username_prefix", "kube_ovn_network_type", "kube_ovn_version", "kube_pod_security_default_audit",
    "kube_pod_security_default_enforce", "kube_pod_security_default_warn", "kube_pod_security_exemptions_namespaces",
    "kube_pod_security_use_default", "kube_pods_subnet", "kube_proxy_mode", "kube_proxy_strict_arp", "kube_service_addresses",
    "kube_version", "kube_vip_address", "kube_vip_arp_enabled", "kube_vip_controlplane_enabled", "kube_vip_enabled",
    "kube_vip_interface", "kube_vip_services_enabled", "kubernetes_audit", "loadbalancer_apiserver", "loadbalancer_apiserver_localhost",
    "metallb_enabled", "metrics_server_enabled", "node_labels", "node_taints", "ntp_enabled", "ntp_manage_config", "ntp_servers",
    "supplementary_addresses_in_ssl_keys", "upgrade_node_confirm", "upgrade_node_post_upgrade_confirm", "upstream_dns_servers",
];

/**
 * Variables the runner passes to individual runs (extra vars win over group_vars, so these would be
 * ignored at best): node removal, drains and upgrade batches are the spec's (operations.*).
 */
export const RUNNER_OWNED_VARS: readonly string[] = [
    "node", "skip_confirmation", "reset_nodes", "allow_ungraceful_removal", "serial", "drain_nodes", "drain_grace_period",
    "drain_timeout", "drain_retries", "ignore_assert_errors", "etcd_retries", "kubespray_known_hosts", "upgrade_cluster_setup",
];

const JINJA = /\{\{|\{%|\{#|\}\}|%\}|#\}/;

export function extraVarsAreSafe(ctx: RuleContext): void {
    const owned = new Set([...SPEC_OWNED_VARS, ...RUNNER_OWNED_VARS]);
    for (const [key, value] of Object.entries(ctx.config.kubespray.extraVars)) {
        const path = `kubespray.extraVars.${key}`;
        if (JINJA.test(key)) {
            ctx.error("kubespray.extraVars", "a key contains Jinja ({{, {% or {#), which Ansible would evaluate");
            continue;
        }
        if (key.startsWith("ansible_")) {
            ctx.error(path, "ansible_* variables set how Ansible connects and runs commands; they are not allowed in extraVars");
        } else if (owned.has(key)) {
            ctx.error(path, "is set by the program from the stack file (or by the runner for one run); change the spec field that owns it instead of overriding it here");
        }
        if (typeof value === "string" && JINJA.test(value)) {
            ctx.error(path, "contains Jinja ({{, {% or {#), which Ansible would evaluate; write the literal value");
        }
    }
}
