import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plan } from "../../cli/plan";
import { listStacks, loadOfflineStack } from "../../cli/stacks";
import { renderInventory } from "../../components/kubespray/inventory";
import { loadClusterSpec } from "../../spec";
import { openstackConfig, withValue } from "../fixtures/configs";

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

    it("writes kube_version in the form the Kubespray release expects", () => {
        const older = loadClusterSpec(withValue(withValue(openstackConfig(), "kubespray.version", "2.27.0"), "kubernetes.version", "1.31.4")).spec;
        assert.match(renderInventory({ spec: older, apiHost: "x" })["group_vars/k8s_cluster/k8s-cluster.yml"], /^kube_version: v1\.31\.4$/m);
        const newer = loadClusterSpec(openstackConfig()).spec;
        assert.match(renderInventory({ spec: newer, apiHost: "x" })["group_vars/k8s_cluster/k8s-cluster.yml"], /^kube_version: 1\.33\.7$/m);
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
