import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { runCommand } from "../../cli/command";
import { kubernetesReader, statusCommand } from "../../cli/status";
import { evaluateStatus, keyRows, kubeconfigCertificate, needsAPerson, nodeRows, snapshotRows, type ClusterReader } from "../../cli/status-checks";
import { loadOfflineStack, PROJECT_ROOT } from "../../cli/stacks";
import { captured, FakeStack, fakeOpener } from "./fakes";

const NOW = new Date("2026-06-01T12:00:00Z");
const EXPECTED = loadOfflineStack("dev-openstack").loaded.spec.nodes.map((n) => ({ name: n.name, role: n.role, pool: n.pool }));

/** A healthy cluster as the API server would describe it (the shapes the real reader returns). */
function healthyCluster(overrides: Partial<ClusterReader> = {}): ClusterReader {
    return {
        nodes: async () => EXPECTED.map((n) => ({ name: n.name, ready: true })),
        apiHealth: async () => ({ checks: [{ name: "ping", ok: true }, { name: "etcd", ok: true }, { name: "etcd-readiness", ok: true }], servingCertificate: { subject: "kube-apiserver", validTo: new Date("2027-01-01T00:00:00Z") } }),
        etcdPods: async () => [],
        kustomizations: async () => [{ namespace: "flux-system", name: "flux-system", ready: "True" }, { namespace: "flux-system", name: "cert-manager-base", ready: "True" }],
        cronJobs: async () => [{ namespace: "kube-system", name: "etcd-backup", schedule: "0 1 * * *", lastSuccessfulTime: new Date("2026-06-01T01:00:05Z") }],
        ...overrides,
    };
}

const OUTPUTS = { sshKeyRotationDue: "2026-09-01T00:00:00Z", ageKeyRotationDue: "2026-07-01T00:00:00Z", kubeconfig: "apiVersion: v1\nkind: Config\n" };

describe("clusters status (issue #16 item 7)", () => {
    it("a healthy cluster: one table, every row ok, exit 0", async () => {
        const rows = await evaluateStatus({ stack: "dev-openstack", expectedNodes: EXPECTED, outputs: OUTPUTS, cluster: healthyCluster(), now: NOW });
        assert.deepStrictEqual(rows.map((r) => [r.check, r.state]), [
            ["nodes", "ok"], ["etcd", "ok"], ["etcd", "ok"], ["certificate", "ok"], ["flux", "ok"], ["key", "ok"], ["key", "ok"], ["etcd snapshot", "ok"],
        ]);
        assert.strictEqual(needsAPerson(rows), false);
        const opener = fakeOpener({ "dev-openstack": new FakeStack("dev-openstack", { outputs: { kubeconfig: { value: OUTPUTS.kubeconfig, secret: true }, sshKeyRotationDue: { value: OUTPUTS.sshKeyRotationDue, secret: false } } }) });
        const result = await captured(() => runCommand(statusCommand({ opener, reader: async () => healthyCluster(), now: () => NOW }), ["--stack", "dev-openstack"]));
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, /^check\s+subject\s+state\s+detail$/m);
        assert.match(result.stdout, /^nodes\s+6 in the stack file\s+ok\s+6 of 6 Ready$/m);
        assert.doesNotMatch(result.stdout + result.stderr, /apiVersion: v1/, "the kubeconfig (a secret output) is never printed");
    });

    it("anything that needs a person makes a row and exit 2: NotReady and missing nodes, a failing etcd, a failed Kustomization, an overdue key, an old snapshot", async () => {
        const cluster = healthyCluster({
            nodes: async () => [...EXPECTED.slice(1).map((n, i) => ({ name: n.name, ready: i !== 0, reason: "kubelet stopped posting node status" })), { name: "stray-node", ready: true }],
            apiHealth: async () => ({ checks: [{ name: "etcd", ok: false }], servingCertificate: { subject: "kube-apiserver", validTo: new Date("2026-06-20T00:00:00Z") } }),
            kustomizations: async () => [{ namespace: "flux-system", name: "flux-system", ready: "True" }, { namespace: "flux-system", name: "velero-base", ready: "False", reason: "HealthCheckFailed", message: "timeout waiting for: [HelmRelease/velero/velero status: 'InProgress']" }],
            cronJobs: async () => [{ namespace: "kube-system", name: "etcd-backup", schedule: "0 1 * * *", lastSuccessfulTime: new Date("2026-05-20T01:00:00Z") }],
        });
        const rows = await evaluateStatus({ stack: "dev-openstack", expectedNodes: EXPECTED, outputs: { ...OUTPUTS, ageKeyRotationDue: "2026-05-01T00:00:00Z" }, cluster, now: NOW });
        const attention = rows.filter((r) => r.state === "attention").map((r) => `${r.check} ${r.subject}: ${r.detail}`);
        assert.deepStrictEqual(attention, [
            "nodes 6 in the stack file: 4 of 6 Ready",
            `node ${EXPECTED[0].name}: in the stack file (cp), not in the cluster`,
            `node ${EXPECTED[1].name}: NotReady: kubelet stopped posting node status`,
            "etcd API server /readyz: etcd failed",
            "certificate API server (kube-apiserver): expires 2026-06-20 (18 days)",
            "flux Kustomizations: 1 of 2 Ready",
            "flux flux-system/velero-base: Ready=False (HealthCheckFailed): timeout waiting for: [HelmRelease/velero/velero status: 'InProgress']",
            "key ageKey: rotation overdue since 2026-05-01: bump its generation in operations.keyRotation",
            "etcd snapshot kube-system/etcd-backup: last success 2026-05-20T01:00:00.000Z (299 h ago)",
        ]);
        assert.ok(rows.some((r) => r.subject === "stray-node" && r.state === "warn"));
        const result = await captured(() => runCommand(statusCommand({ opener: fakeOpener({ "dev-openstack": new FakeStack("dev-openstack", { outputs: { kubeconfig: { value: "x", secret: true } } }) }), reader: async () => cluster, now: () => NOW }), ["--stack", "dev-openstack", "--json"]));
        assert.strictEqual(result.code, 2);
        assert.ok(Array.isArray(JSON.parse(result.stdout)));
    });

    it("a cluster that cannot be reached: exit 1", async () => {
        const down = async () => { throw new Error("connect ECONNREFUSED 10.0.0.5:6443"); };
        const cluster: ClusterReader = { nodes: down, apiHealth: down, etcdPods: down, kustomizations: down, cronJobs: down };
        const result = await captured(() => runCommand(statusCommand({ opener: fakeOpener({ "dev-openstack": new FakeStack("dev-openstack", { outputs: { kubeconfig: { value: "x", secret: true } } }) }), reader: async () => cluster, now: () => NOW }), ["--stack", "dev-openstack"]));
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /could not be reached/);
        assert.match(result.stdout, /could not read: connect ECONNREFUSED/);
    });

    it("offline (no Pulumi CLI) says what it would check and exits 0", () => {
        const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), "status", "--stack", "dev-openstack"],
            { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, PATH: fs.mkdtempSync(path.join(os.tmpdir(), "empty-")) } });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stderr, /the Pulumi CLI \(pulumi\) is not on PATH/);
        assert.match(result.stdout, /the 6 nodes of the stack file \(cp=3, general=3\) exist and are Ready/);
        assert.match(result.stdout, /sshKeyRotationDue, ageKeyRotationDue/);
    });

    it("keeps large clusters to one table: problem rows are bounded", () => {
        const expected = Array.from({ length: 1000 }, (_, i) => ({ name: `n-${i}`, role: "worker", pool: "w" }));
        const rows = nodeRows(expected, []);
        assert.strictEqual(rows.length, 1 + 20 + 1);
        assert.strictEqual(rows[rows.length - 1].detail, "and 980 more");
    });

    it("key due dates warn two weeks ahead; no snapshot CronJob warns", () => {
        assert.deepStrictEqual(keyRows({ sshKeyRotationDue: "2026-06-10T00:00:00Z" }, NOW).map((r) => r.state), ["warn"]);
        assert.deepStrictEqual(snapshotRows([], NOW).map((r) => r.state), ["warn"]);
    });

    it("reads the kubeconfig's client certificate expiry", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cert-"));
        const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "10", "-subj", "/CN=kubernetes-admin",
            "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { encoding: "utf8" });
        if (made.status !== 0) this.skip(); // openssl makes the test certificate
        const data = fs.readFileSync(path.join(dir, "cert.pem")).toString("base64");
        const certificate = kubeconfigCertificate(`apiVersion: v1\nusers:\n- name: admin\n  user:\n    client-certificate-data: ${data}\n`)!;
        assert.strictEqual(certificate.subject, "kubeconfig client certificate (admin)");
        assert.ok(Math.abs(certificate.validTo.getTime() - Date.now() - 10 * 86_400_000) < 86_400_000);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("the real reader (@kubernetes/client-node) against a local fake API server", () => {
    let server: http.Server;
    let kubeconfig = "";
    const seen: string[] = [];

    before(async () => {
        const routes: Record<string, unknown> = {
            "/api/v1/nodes": { kind: "NodeList", apiVersion: "v1", items: [
                { metadata: { name: "dev-os-cp-1" }, status: { conditions: [{ type: "Ready", status: "True" }] } },
                { metadata: { name: "dev-os-general-1" }, spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady", message: "container runtime is down" }] } },
            ] },
            "/api/v1/namespaces/kube-system/pods": { kind: "PodList", apiVersion: "v1", items: [] },
            "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations": { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "KustomizationList", items: [
                { metadata: { name: "flux-system", namespace: "flux-system" }, spec: { suspend: false }, status: { conditions: [{ type: "Ready", status: "True", reason: "ReconciliationSucceeded" }] } },
            ] },
            "/apis/batch/v1/cronjobs": { kind: "CronJobList", apiVersion: "batch/v1", items: [
                { metadata: { name: "etcd-backup", namespace: "kube-system" }, spec: { schedule: "0 1 * * *", jobTemplate: { spec: { template: { spec: { containers: [] } } } } }, status: { lastSuccessfulTime: "2026-06-01T01:00:00Z" } },
            ] },
        };
        server = http.createServer((request, response) => {
            const url = new URL(request.url ?? "/", "http://localhost");
            seen.push(`${url.pathname}${url.search}`);
            if (request.headers.authorization !== "Bearer test-token") {
                response.writeHead(401).end();
                return;
            }
            if (url.pathname === "/readyz") {
                response.writeHead(200, { "content-type": "text/plain" }).end("[+]ping ok\n[+]etcd ok\n[-]etcd-readiness failed: reason withheld\nreadyz check failed\n");
                return;
            }
            const body = routes[url.pathname];
            response.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? { kind: "Status", code: 404 }));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as AddressInfo).port;
        kubeconfig = [
            "apiVersion: v1", "kind: Config", "current-context: test",
            "clusters:", `- name: test`, `  cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
            "users:", "- name: test", "  user: {token: test-token}",
            "contexts:", "- name: test", "  context: {cluster: test, user: test}",
        ].join("\n");
    });
    after(() => server.close());

    it("reads nodes, /readyz, etcd pods, Kustomizations and CronJobs with the kubeconfig's credentials", async () => {
        const reader = await kubernetesReader(kubeconfig);
        assert.deepStrictEqual(await reader.nodes(), [
            { name: "dev-os-cp-1", ready: true, reason: undefined, unschedulable: false },
            { name: "dev-os-general-1", ready: false, reason: "container runtime is down", unschedulable: true },
        ]);
        assert.deepStrictEqual((await reader.apiHealth()).checks, [{ name: "ping", ok: true }, { name: "etcd", ok: true }, { name: "etcd-readiness", ok: false }]);
        assert.deepStrictEqual(await reader.etcdPods(), []);
        assert.deepStrictEqual(await reader.kustomizations(), [{ namespace: "flux-system", name: "flux-system", ready: "True", reason: "ReconciliationSucceeded", message: undefined, suspended: false }]);
        const [job] = await reader.cronJobs();
        assert.deepStrictEqual([job.name, job.lastSuccessfulTime?.toISOString()], ["etcd-backup", "2026-06-01T01:00:00.000Z"]);
        assert.ok(seen.includes("/readyz?verbose"));
        assert.ok(seen.some((s) => s.startsWith("/api/v1/namespaces/kube-system/pods?labelSelector=component%3Detcd")), seen.join(" "));
    });
});
