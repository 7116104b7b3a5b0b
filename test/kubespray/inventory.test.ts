import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plan } from "../../cli/plan";
import { listStacks, loadOfflineStack } from "../../cli/stacks";
import { renderedVariableNames, renderInventory } from "../../components/kubespray/inventory";
import { SPEC_OWNED_VARS } from "../../spec/rules/kubespray";
import { loadClusterSpec } from "../../spec";
import { existingConfig, openstackConfig, withValue } from "../fixtures/configs";

/** What Debian's real ansible-inventory reads from a rendered inventory directory. */
function ansibleInventory(dir: string): { groups: Record<string, string[]>; hostvars: Record<string, Record<string, unknown>> } {
    const json = JSON.parse(execFileSync("ansible-inventory", ["-i", path.join(dir, "hosts.yaml"), "--list"], { encoding: "utf8", env: { ...process.env, ANSIBLE_NOCOLOR: "1" } }));
    const groups: Record<string, string[]> = {};
    const collect = (group: string): string[] => [...(json[group]?.hosts ?? []), ...(json[group]?.children ?? []).flatMap(collect)];
    for (const group of ["kube_control_plane", "etcd", "kube_node", "k8s_cluster", "calico_rr"]) {
        groups[group] = [...new Set(collect(group))].sort();
    }
    return { groups, hostvars: json._meta.hostvars };
}

describe("Kubespray inventory", () => {
    for (const stack of listStacks()) {
        it(`reads as intended with ansible-inventory: ${stack}`, async () => {
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"));
            const offline = loadOfflineStack(stack);
            const { outDir } = await plan(offline, out);
            const { groups, hostvars } = ansibleInventory(path.join(outDir, "kubespray"));
            const spec = offline.loaded.spec;
            const controlPlane = spec.nodes.filter((n) => n.role === "control-plane").map((n) => n.name).sort();
            const workers = spec.nodes.filter((n) => n.role === "worker").map((n) => n.name).sort();
            assert.deepStrictEqual(groups.kube_control_plane, controlPlane);
            assert.deepStrictEqual(groups.etcd, controlPlane);
            assert.deepStrictEqual(groups.kube_node, workers.length ? workers : controlPlane);
            assert.deepStrictEqual(groups.k8s_cluster, [...controlPlane, ...workers].sort());
            assert.deepStrictEqual(groups.calico_rr, []);
            assert.strictEqual(groups.etcd.length % 2, 1, "odd etcd count");
            for (const node of spec.nodes) {
                const vars = hostvars[node.name];
                assert.deepStrictEqual([vars.ansible_host, vars.ip, vars.access_ip], [node.address, node.address, node.address]);
                assert.match(node.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "Kubespray's host name pattern");
                if (node.role === "control-plane") {
                    assert.match(String(vars.etcd_member_name), /^etcd\d+$/);
                }
                assert.strictEqual(vars.ansible_user, spec.infrastructure.ssh.user);
            }
            const first = hostvars[spec.nodes[0].name];
            if (spec.infrastructure.bastion.enabled) {
                assert.match(String(first.ansible_ssh_common_args), /ProxyCommand="ssh -W %h:%p -q -i \{\{ ansible_ssh_private_key_file \}\} .* ubuntu@198\.51\.100\.\d+"/);
            } else {
                assert.ok(!String(first.ansible_ssh_common_args).includes("ProxyCommand"));
            }
            // group_vars are loaded from beside hosts.yaml
            assert.strictEqual(first.kube_version, spec.kubernetes.version);
            assert.strictEqual(first.kube_network_plugin, spec.kubernetes.network.plugin);
            assert.strictEqual(first.kube_pods_subnet, spec.kubernetes.podSubnet);
            fs.rmSync(out, { recursive: true, force: true });
        });
    }

    it("holds Kubespray's enum values and non-overlapping subnets", () => {
        const { spec } = loadClusterSpec(openstackConfig());
        const vars = renderInventory({ spec, apiHost: "10.0.0.5" })["group_vars/k8s_cluster/k8s-cluster.yml"];
        assert.match(vars, /^kube_proxy_mode: ipvs$/m);
        assert.match(vars, /^container_manager: containerd$/m);
        assert.match(vars, /^dns_mode: coredns$/m);
        assert.match(vars, /^etcd_deployment_type: host$/m);
    });

    it("writes kube_version without a leading v, as Kubespray 2.28 and later expect", () => {
        const spec = loadClusterSpec(openstackConfig()).spec;
        assert.match(renderInventory({ spec, apiHost: "x" })["group_vars/k8s_cluster/k8s-cluster.yml"], /^kube_version: 1\.33\.7$/m);
    });

    it("the spec's own variables, which extraVars may not set, are exactly the ones the inventory renders", () => {
        const variants = [
            openstackConfig(),
            withValue(withValue(openstackConfig(), "kubernetes.network", { plugin: "cilium", mode: "native", version: "1.19.3" }), "kubernetes.oidc", { enabled: true, issuerUrl: "https://id.example.com", clientId: "k" }),
            withValue(withValue(withValue(openstackConfig(), "kubernetes.network", { plugin: "kube-ovn", version: "1.12.21" }), "infrastructure.workerPools[0].labels", { a: "b" }), "infrastructure.workerPools[0].taints", [{ key: "k", value: "v", effect: "NoSchedule" }]),
            withValue(withValue(openstackConfig(), "kubernetes.network", { plugin: "calico", version: "3.31.5" }), "infrastructure.apiEndpoint", { type: "loadbalancer" }),
            existingConfig(),
            // An external cloud controller (OpenStack CCM, on by default with GitOps) adds cloud_provider and its companions.
            loadOfflineStack("dev-openstack").values,
        ].map((c) => loadClusterSpec(c).spec);
        const rendered = new Set(variants.flatMap((spec) => renderedVariableNames({ spec, apiHost: "10.0.0.5", bastionHost: "10.0.0.4" })));
        assert.deepStrictEqual([...new Set(SPEC_OWNED_VARS)].sort(), [...rendered].sort());
    });

    it("refuses Jinja, ansible_* keys and the spec's own variables in extraVars, naming each", () => {
        const attempt = (extraVars: Record<string, unknown>) => {
            try {
                loadClusterSpec(withValue(openstackConfig(), "kubespray.extraVars", extraVars));
                return [];
            } catch (error) {
                return (error as { issues: { path: string; message: string }[] }).issues.map((i) => `${i.path}: ${i.message}`);
            }
        };
        assert.deepStrictEqual(attempt({ kube_log_level: 2, etcd_heartbeat_interval: "250" }), []);
        const refused = attempt({
            kube_version: "{{ lookup('pipe','id > /tmp/x') }}",
            ansible_ssh_common_args: "-o ProxyCommand=\"sh -c 'id > /tmp/y'\"",
            kube_encrypt_secret_data: false,
            kubernetes_audit: false,
            some_var: "{% if true %}x{% endif %}",
            serial: 100,
        });
        // Every problem at once: a spec-owned name with Jinja is refused for both (test/spec/extra-vars.test.ts has the rest).
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.kube_version: contains the Jinja delimiters "\{\{", "\}\}"/.test(r)), refused.join("\n"));
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.kube_version: is set by the program from kubernetes\.version/.test(r)), refused.join("\n"));
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.ansible_ssh_common_args: is set by the program/.test(r)));
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.kube_encrypt_secret_data: is set by the program/.test(r)));
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.serial: is set by the runner/.test(r)));
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.some_var: contains the Jinja delimiters "\{%", "%\}"/.test(r)));
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.some_var: is not one of the Kubespray variables extraVars may set/.test(r)));
    });

    it("writes extraVars sorted, strings tagged !unsafe", () => {
        const spec = loadClusterSpec(withValue(openstackConfig(), "kubespray.extraVars", { kube_proxy_scheduler: "sh", kube_log_level: 1, etcd_heartbeat_interval: "250", eviction_hard: { "nodefs.available": "10%", "memory.available": "100Mi" } })).spec;
        const vars = renderInventory({ spec, apiHost: "x" })["group_vars/k8s_cluster/k8s-cluster.yml"];
        assert.match(vars, /^etcd_heartbeat_interval: !unsafe '250'\neviction_hard:\n  memory\.available: !unsafe '100Mi'\n  nodefs\.available: !unsafe '10%'\nkube_log_level: 1\nkube_proxy_scheduler: !unsafe 'sh'\n$/m);
    });

    it("makes control-plane nodes schedulable only when there are no workers", () => {
        const { spec } = loadClusterSpec(withValue(openstackConfig(), "infrastructure.workerPools", []));
        const hosts = renderInventory({ spec, apiHost: "x" })["hosts.yaml"];
        assert.match(hosts, /kube_node:\n\s+hosts:\n\s+t1-cp-1: \{\}/);
    });

    it("passes OIDC and pod security settings through", () => {
        let config = withValue(openstackConfig(), "kubernetes.oidc", { enabled: true, issuerUrl: "https://id.example.com/realms/k8s", clientId: "kube" });
        config = withValue(config, "kubernetes.podSecurity", { level: "restricted", exemptNamespaces: ["kube-system", "velero"] });
        const vars = renderInventory({ spec: loadClusterSpec(config).spec, apiHost: "x" })["group_vars/k8s_cluster/k8s-cluster.yml"];
        assert.match(vars, /^kube_oidc_url: https:\/\/id\.example\.com\/realms\/k8s$/m);
        assert.match(vars, /^kube_pod_security_default_enforce: restricted$/m);
        assert.match(vars, /kube_pod_security_exemptions_namespaces:\n {2}- kube-system\n {2}- velero/);
    });
});
