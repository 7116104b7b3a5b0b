/**
 * The Kubespray runner and inventory against the real Kubespray v2.31.0 tree (test/upstream.ts finds it;
 * a visible skip when there is none). Ansible here is Debian's ansible-core 2.14: parsing,
 * `--list-hosts` and ad-hoc modules work; plays that install Kubernetes cannot run (no hosts), so each
 * invocation the planner makes is checked with `ansible-playbook --list-hosts` (the hosts each run
 * touches) under the release's own ansible.cfg, built exactly as the runner builds it.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { CONTROL_PLANE_VARS, hostsOf, renderedVariableNames, renderInventory } from "../../components/kubespray/inventory";
import type { PlaybookStep } from "../../components/kubespray/planner";
import { adHoc, invocation, parseAdHoc, playbookArgs, runInventory, type AnsibleContext } from "../../components/kubespray/runner/ansible";
import { writeInventory } from "../../components/kubespray/workspace";
import { KUBESPRAY_RELEASES } from "../../spec";
import { API_HOST, caseNamed, cases, describeRun, specOf, type Case } from "./cases";
import { requireUpstream } from "../upstream";

const VERSION = "2.31.0";
const FIXTURE_BIN = path.join(__dirname, "..", "fixtures", "kubespray", "bin");

/** A "checkout" of the real tree for the venv runner: links to every entry, and Debian's Ansible as its venv. */
function checkoutOf(tree: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubespray-real-"));
    for (const entry of fs.readdirSync(tree)) {
        fs.symlinkSync(path.join(tree, entry), path.join(dir, entry));
    }
    fs.mkdirSync(path.join(dir, ".venv", "bin"), { recursive: true });
    for (const tool of ["ansible", "ansible-playbook", "ansible-inventory"]) {
        fs.symlinkSync(`/usr/bin/${tool}`, path.join(dir, ".venv", "bin", tool));
    }
    return dir;
}

function contextFor(checkout: string, inventoryDir: string): AnsibleContext {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubespray-state-"));
    const keyFile = path.join(stateDir, "id");
    fs.writeFileSync(keyFile, "not a key\n", { mode: 0o600 });
    return { checkout, runner: "venv", image: "", inventoryDir, stateDir, keyFile };
}

interface Play { readonly pattern: string; readonly name: string; readonly hosts: string[] }

function parsePlays(output: string): Play[] {
    const plays: Play[] = [];
    let current: Play | undefined;
    for (const line of output.split("\n")) {
        const header = /^\s+play #\d+ \((.*)\): (.*?)\s+TAGS:/.exec(line);
        if (header) {
            current = { pattern: header[1], name: header[2], hosts: [] };
            plays.push(current);
        } else if (current && /^ {6}\S+$/.test(line)) {
            current.hosts.push(line.trim());
        }
    }
    return plays;
}

function spawnAsync(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}

/** One planned playbook step, built as the runner builds it, listed by the real playbook. */
async function listHosts(checkout: string, c: Case, step: PlaybookStep, live: ReadonlySet<string>): Promise<{ plays: Play[]; order: string[]; groups: Record<string, string[]> }> {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"));
    writeInventory(path.join(base, "inventory"), renderInventory({ spec: c.spec, apiHost: API_HOST }));
    const keep = (step.keep ?? []).map((h, i) => ({ ...h, address: h.address ?? `10.0.0.${200 + i}` }));
    runInventory(path.join(base, "inventory"), path.join(base, "run"), keep, step.last ?? [], live, step.broken ?? []);
    const ctx = contextFor(checkout, path.join(base, "run"));
    const varsFile = path.join(base, "run-vars.json");
    fs.writeFileSync(varsFile, JSON.stringify(step.extraVars));
    const call = invocation(ctx, "ansible-playbook", [...playbookArgs(ctx, path.join(checkout, step.playbook), varsFile, step.limit, step.tags), "--list-hosts"], false);
    const result = await spawnAsync(call.command, call.args, { env: call.env, cwd: call.cwd });
    assert.strictEqual(result.status, 0, `${describeRun("", step)}: ${result.stderr}`);
    // The groups the run's plays read, as Ansible itself resolves them from the run's inventory.
    const graph = spawnSync("ansible-inventory", ["-i", path.join(base, "run", "hosts.yaml"), "--list"], { cwd: checkout, encoding: "utf8" });
    assert.strictEqual(graph.status, 0, graph.stderr);
    const listed = JSON.parse(graph.stdout) as Record<string, { hosts?: string[] }>;
    const groups = Object.fromEntries(["etcd", "kube_control_plane", "broken_etcd", "broken_kube_control_plane"].map((g) => [g, listed[g]?.hosts ?? []]));
    const inventory = parse(fs.readFileSync(path.join(base, "run", "hosts.yaml"), "utf8"));
    fs.rmSync(base, { recursive: true, force: true });
    return { plays: parsePlays(result.stdout), order: Object.keys(inventory.all.children.kube_control_plane.hosts), groups };
}

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = [];
    for (let i = 0; i < items.length; i += size) {
        results.push(...await Promise.all(items.slice(i, i + size).map(work)));
    }
    return results;
}

describe("Kubespray runner against the real Kubespray v2.31.0 tree", function () {
    this.timeout(240000);
    let tree: string;
    let checkout: string;

    before(function () {
        tree = requireUpstream(this, "kubespray", VERSION);
        checkout = checkoutOf(tree);
    });

    it("every planned playbook run touches exactly the intended hosts (ansible-playbook --list-hosts)", async () => {
        const runs = cases().flatMap((c) => c.plans.flatMap(({ command, plan, live }) => plan.steps
            .filter((s): s is PlaybookStep => s.kind === "playbook")
            .map((step) => ({ c, command, step, live }))));
        assert.ok(runs.length >= 19, `${runs.length} planned runs`);
        assert.ok(runs.some((r) => r.step.playbook === "recover-control-plane.yml" && r.step.broken?.length === 2), "the lost-quorum recovery is among them");
        // Identical invocations (same playbook, limit, tags, order, hosts) are listed once.
        // `live` only orders the control-plane/etcd groups of the run's inventory (runInventory): only those hosts count.
        const inventoryControlPlane = (r: (typeof runs)[number]) => new Set([...r.c.spec.nodes.filter((n) => n.role === "control-plane").map((n) => n.name), ...(r.step.keep ?? []).map((k) => k.name)]);
        const keyOf = (r: (typeof runs)[number]) => JSON.stringify([r.step.playbook, r.step.limit, r.step.tags, r.step.last, r.step.extraVars.node, r.step.keep?.map((k) => k.name), r.c.spec.nodes.map((n) => n.name), [...r.live].filter((n) => inventoryControlPlane(r).has(n)).sort()]);
        const unique = [...new Map(runs.map((r) => [keyOf(r), r])).values()];
        const listed = new Map((await inBatches(unique, 2, async (r) => [keyOf(r), await listHosts(checkout, r.c, r.step, r.live)] as const)));
        runs.forEach((run) => {
            const { c, command, step } = run;
            const { plays, order, groups } = listed.get(keyOf(run))!;
            const label = describeRun(command, step);
            const all = new Set([...c.spec.nodes.map((n) => n.name), ...(step.keep ?? []).map((k) => k.name)]);
            const controlPlane = new Set([...c.spec.nodes.filter((n) => n.role === "control-plane").map((n) => n.name), ...(step.keep ?? []).filter((k) => k.role === "control-plane").map((k) => k.name)]);
            const touched = new Set(plays.flatMap((p) => p.hosts));
            // Kubespray runs kubeadm init, makes etcd certificates and delegates removals on the first host.
            for (const first of plays.filter((p) => /(kube_control_plane|etcd)(\[0\]| \| first)/.test(p.pattern)).flatMap((p) => p.hosts)) {
                assert.ok(!(step.last ?? []).includes(first), `${label}: ${first} must not be the first control-plane or etcd host`);
            }
            // recover-control-plane.md: broken nodes in broken_etcd and broken_kube_control_plane, survivors first in etcd and kube_control_plane.
            assert.deepStrictEqual([groups.broken_etcd, groups.broken_kube_control_plane], [[...(step.broken ?? [])], [...(step.broken ?? [])]], `${label}: broken groups`);
            if (step.broken) {
                const survivors = groups.etcd.filter((h) => !step.broken!.includes(h));
                assert.deepStrictEqual(groups.etcd, [...survivors, ...step.broken], `${label}: etcd order`);
                assert.deepStrictEqual(groups.kube_control_plane, [...survivors, ...step.broken], `${label}: kube_control_plane order`);
                const firsts = plays.filter((p) => p.pattern === "etcd[0]" || p.pattern === "kube_control_plane[0]");
                assert.deepStrictEqual(firsts.filter((p) => p.name.startsWith("Recover")).map((p) => [p.name, p.hosts]),
                    [["Recover etcd", [survivors[0]]], ["Recover control plane", [survivors[0]]]], `${label}: recovered on the first survivor`);
                assert.ok(firsts.every((p) => p.hosts.join() === survivors[0]), `${label}: every first-host play on ${survivors[0]}`);
            }
            assert.ok(!(step.last ?? []).includes(order[0]), `${label}: inventory order ${order.join(",")}`);
            if (step.playbook === "remove-node.yml") {
                const removed = String(step.extraVars.node).split(",").sort();
                for (const play of plays.filter((p) => ["Reset node", "Post node removal", "Confirm node removal"].includes(p.name))) {
                    assert.deepStrictEqual([...play.hosts].sort(), removed, `${label}: ${play.name}`);
                }
                assert.ok(plays.some((p) => p.name === "Post node removal"), label);
            } else if (step.limit?.includes("kube_control_plane")) {
                assert.deepStrictEqual([...touched].sort(), [...controlPlane].sort(), label);
            } else if (step.limit) {
                assert.deepStrictEqual([...touched].sort(), [...step.limit].sort(), label);
            } else {
                assert.deepStrictEqual([...touched].sort(), [...all].sort(), label);
            }
        });
    });

    it("a control-plane removal whose Node is gone proceeds in the real remove_node.yml and still finds the etcd member to remove", async () => {
        // The rules this relies on, as Kubespray v2.31.0 writes them:
        const read = (file: string) => fs.readFileSync(path.join(tree, file), "utf8");
        const book = read("playbooks/remove_node.yml");
        // reset_nodes=false: no fact gathering and no reset, so the removed host itself is never reached;
        assert.match(book, /import_playbook: internal_facts\.yml\n\s+when: reset_nodes \| default\(True\) \| bool/);
        assert.match(book, /role: reset, tags: reset, when: reset_nodes \| default\(True\) \| bool/);
        // the drain, the volume wait and the Node deletion only act on a host `kubectl get nodes` lists;
        const preRemove = read("roles/remove_node/pre_remove/tasks/main.yml");
        assert.strictEqual(preRemove.match(/- kube_override_hostname in nodes\.stdout_lines/g)?.length, 2);
        assert.match(preRemove, /failed_when: result\.rc != 0 and not allow_ungraceful_removal/);
        assert.match(read("roles/remove-node/post-remove/tasks/main.yml"), /kube_override_hostname in nodes\.stdout_lines/);
        // the etcd member is removed from the first etcd host, matched by the removed host's peer URL, if it is still there.
        const etcd = read("roles/remove-node/remove-etcd-node/tasks/main.yml");
        assert.match(etcd, /delegate_to: "\{\{ groups\['etcd'\] \| first \}\}"/);
        assert.match(etcd, /selectattr\('peerURLs\.0', '==', etcd_peer_url\)/);
        assert.match(etcd, /when: etcd_removed_nodes != \[\]/);

        // The planned run of the resumed removal: its hosts (--list-hosts), and etcd_peer_url of the removed host
        // as the real kubespray_defaults role resolves it from the run's inventory with no facts at all
        // (network_facts, which sets main_access_ip, is skipped with reset_nodes=false).
        const c = caseNamed("control-plane removal resumed");
        const run = c.plans[0];
        const step = run.plan.steps.find((s): s is PlaybookStep => s.kind === "playbook" && s.playbook === "remove-node.yml")!;
        assert.deepStrictEqual([step.extraVars.node, step.extraVars.reset_nodes, step.extraVars.allow_ungraceful_removal], ["t1-cp-4", false, true]);
        const { plays, groups } = await listHosts(checkout, c, step, run.live);
        for (const name of ["Confirm node removal", "Reset node", "Post node removal"]) {
            assert.deepStrictEqual(plays.find((p) => p.name === name)?.hosts, ["t1-cp-4"], name);
        }
        assert.deepStrictEqual(groups.etcd, ["t1-cp-1", "t1-cp-2", "t1-cp-3", "t1-cp-4"], "the member removal is delegated to a survivor");
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "peer-url-"));
        try {
            writeInventory(path.join(base, "inventory"), renderInventory({ spec: c.spec, apiHost: API_HOST }));
            runInventory(path.join(base, "inventory"), path.join(base, "run"), step.keep!.map((k) => ({ ...k, address: k.address! })), step.last ?? [], run.live);
            // Our own probe (no upstream file copied): the real role's defaults, evaluated for the removed host.
            fs.writeFileSync(path.join(base, "probe.yml"), "- hosts: t1-cp-4\n  gather_facts: false\n  roles:\n    - { role: kubespray_defaults, when: false }\n  tasks:\n    - ansible.builtin.debug: { var: etcd_peer_url }\n");
            const probe = spawnSync("ansible-playbook", ["-i", path.join(base, "run", "hosts.yaml"), path.join(base, "probe.yml")], {
                cwd: base, encoding: "utf8",
                env: { ...process.env, ANSIBLE_ROLES_PATH: path.join(tree, "roles"), ANSIBLE_CACHE_PLUGIN: "jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION: path.join(base, "facts"), ANSIBLE_NOCOLOR: "1" },
            });
            const address = step.keep![0].address!;
            assert.strictEqual(probe.status, 0, probe.stdout + probe.stderr);
            assert.match(probe.stdout, new RegExp(`"etcd_peer_url": "https://${address.replace(/\./g, "\\.")}:2380"`));
        } finally {
            fs.rmSync(base, { recursive: true, force: true });
        }
    });

    it("every extra variable a planned run passes is one this release reads, recovery's included", () => {
        const vars = new Set(cases().flatMap((c) => c.plans.flatMap(({ plan }) => plan.steps.flatMap((s) => s.kind === "playbook" ? Object.keys(s.extraVars) : []))));
        for (const name of ["etcd_retries", "etcd_snapshot", "reset_nodes", "allow_ungraceful_removal", "node", "skip_confirmation", "ignore_assert_errors"]) {
            assert.ok(vars.has(name), `${name} is planned by some case`);
        }
        const grep = (word: string) => spawnSync("grep", ["-rlw", "--include=*.yml", word, path.join(tree, "roles"), path.join(tree, "playbooks")], { encoding: "utf8" }).stdout.trim();
        for (const name of vars) {
            assert.ok(grep(name), `${name} is not read by Kubespray ${VERSION}`);
        }
        // etcd_snapshot is a file on the machine running Ansible: the recover role copies it to the node (copy: src).
        const lostQuorum = fs.readFileSync(path.join(tree, "roles", "recover_control_plane", "etcd", "tasks", "recover_lost_quorum.yml"), "utf8");
        assert.match(lostQuorum, /copy:\n\s+src: "\{\{ etcd_snapshot \}\}"/);
        // ...and the broken members are matched by etcd_member_name, which the inventory sets on every control-plane host.
        assert.match(fs.readFileSync(path.join(tree, "roles", "recover_control_plane", "etcd", "tasks", "main.yml"), "utf8"), /hostvars\[item\[0\]\]\['etcd_member_name'\]/);
        assert.match(renderInventory({ spec: specOf(), apiHost: API_HOST })["hosts.yaml"], /t1-cp-2:\n(\s+\w+: .*\n)*?\s+etcd_member_name: etcd2/);
    });

    it("ad-hoc calls read their JSON under Kubespray's ansible.cfg (profile_tasks enabled there)", async () => {
        // The command: profile_tasks prints timing lines before and after the JSON report.
        const raw = spawnSync("ansible", ["localhost", "-c", "local", "-m", "ansible.builtin.command", "-a", "echo hello"], {
            cwd: tree, encoding: "utf8", env: { ...process.env, ANSIBLE_LOAD_CALLBACK_PLUGINS: "true", ANSIBLE_STDOUT_CALLBACK: "json" },
        });
        assert.match(raw.stdout, /^\w+day \d+ \w+ \d{4}/m, "profile_tasks' timing line is there");
        assert.deepStrictEqual(parseAdHoc(raw.stdout).ok, { localhost: "hello" });
        // The runner's own call, through the real tree's ansible.cfg.
        const inventory = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"));
        fs.writeFileSync(path.join(inventory, "hosts.yaml"), "all:\n  hosts:\n    node-a:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n");
        const ctx = contextFor(checkout, inventory);
        const saved = process.env.PATH;
        process.env.PATH = `${FIXTURE_BIN}:${saved}`;
        try {
            const result = await adHoc(ctx, "read", "node-a", "ansible.builtin.command", "echo from-node-a");
            assert.deepStrictEqual(result.ok, { "node-a": "from-node-a" });
            const degraded = await adHoc(ctx, "cloud-init", "node-a", "ansible.builtin.command", "sh -c 'echo status: degraded done; exit 2'", [], [0, 2]);
            assert.deepStrictEqual([degraded.failed, degraded.notes], [{}, { "node-a": "status: degraded done" }]);
        } finally {
            process.env.PATH = saved;
        }
    });

    it("uses the cluster's known_hosts: ssh gets it before ansible.cfg's UserKnownHostsFile=/dev/null could apply", async () => {
        const inventory = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"));
        fs.writeFileSync(path.join(inventory, "hosts.yaml"), "all:\n  hosts:\n    node-a:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n");
        const ctx = contextFor(checkout, inventory);
        const call = invocation(ctx, "ansible", ["-i", path.join(inventory, "hosts.yaml"), "node-a", "-m", "ping", "-vvvv", "-e", `ansible_ssh_private_key_file=${ctx.keyFile}`], true);
        // -vvvv prints the ssh command line before connecting; stop there (Kubespray's ConnectionAttempts=100 would retry for minutes).
        const output = await new Promise<string>((resolve) => {
            const child = spawn(call.command, call.args, { env: call.env, cwd: call.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
            let text = "";
            let done = false;
            const finish = () => {
                if (done) return;
                done = true;
                try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone already */ }
                resolve(text);
            };
            const onData = (d: Buffer) => {
                text += d;
                if (/SSH: EXEC ssh[^\n]*\n/.test(text)) finish();
            };
            child.stdout.on("data", onData);
            child.stderr.on("data", onData);
            child.on("exit", finish);
        });
        const exec = output.split("\n").find((l) => l.includes("SSH: EXEC ssh"));
        assert.ok(exec, output);
        const ours = exec!.indexOf(`UserKnownHostsFile=${path.join(ctx.stateDir, "known_hosts")}`);
        assert.ok(ours >= 0, exec);
        assert.ok(!exec!.includes("UserKnownHostsFile=/dev/null"), exec);
        assert.ok(!exec!.includes("StrictHostKeyChecking=no"), exec);
        assert.ok(exec!.includes("StrictHostKeyChecking=accept-new"), exec);
    });

    it("never templates an extraVars value: a lookup('pipe', …) reaches the play as text and runs nothing", () => {
        const marker = path.join(os.tmpdir(), `pwned-${process.pid}`);
        const spec = specOf();
        // The spec refuses this value (spec/rules/kubespray.ts); written anyway to prove the second guard.
        const evil = { ...spec, kubespray: { ...spec.kubespray, extraVars: { evil_var: `{{ lookup('pipe', 'touch ${marker}') }}` } } };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"));
        writeInventory(dir, renderInventory({ spec: evil, apiHost: API_HOST }));
        const result = spawnSync("ansible", ["-i", path.join(dir, "hosts.yaml"), "t1-cp-1", "-c", "local", "-m", "ansible.builtin.debug", "-a", "var=evil_var"], {
            cwd: tree, encoding: "utf8", env: { ...process.env, ANSIBLE_CONFIG: path.join(tree, "ansible.cfg") },
        });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.ok(result.stdout.includes("lookup('pipe', 'touch"), result.stdout);
        assert.ok(!fs.existsSync(marker), "the lookup ran");
        const listed = spawnSync("ansible-inventory", ["-i", path.join(dir, "hosts.yaml"), "--list"], { cwd: tree, encoding: "utf8" });
        assert.strictEqual(listed.status, 0, listed.stderr);
        assert.ok(!fs.existsSync(marker), "ansible-inventory ran the lookup");
    });

    it("renders pool labels and taints as Kubespray's node_labels and node_taints, per worker host", () => {
        const spec = specOf({ "infrastructure.workerPools[0].labels": { "node-role.kubernetes.io/ingress": "", tier: "edge" }, "infrastructure.workerPools[0].taints": [{ key: "dedicated", value: "ingress", effect: "NoSchedule" }] });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"));
        writeInventory(dir, renderInventory({ spec, apiHost: API_HOST }));
        const json = JSON.parse(spawnSync("ansible-inventory", ["-i", path.join(dir, "hosts.yaml"), "--list"], { cwd: tree, encoding: "utf8" }).stdout);
        assert.deepStrictEqual(json._meta.hostvars["t1-w-1"].node_labels, { "node-role.kubernetes.io/ingress": "", tier: "edge" });
        assert.deepStrictEqual(json._meta.hostvars["t1-w-1"].node_taints, ["dedicated=ingress:NoSchedule"]);
        assert.strictEqual(json._meta.hostvars["t1-cp-1"].node_labels, undefined);
        // The roles that read them (roles/kubernetes/node-label, node-taint) run in scale.yml and cluster.yml.
        const label = fs.readFileSync(path.join(tree, "roles", "kubernetes", "node-label", "tasks", "main.yml"), "utf8");
        const taint = fs.readFileSync(path.join(tree, "roles", "kubernetes", "node-taint", "tasks", "main.yml"), "utf8");
        assert.ok(label.includes("node_labels is mapping") && taint.includes("inventory_node_taints + node_taints"));
    });

    it("every variable the inventory renders exists in this release, and the control-plane ones are exactly those the control-plane role reads", () => {
        const variants = [
            specOf(),
            specOf({ "kubernetes.network": { plugin: "cilium", mode: "native", version: "1.19.3" }, "kubernetes.oidc": { enabled: true, issuerUrl: "https://id.example.com", clientId: "k" } }),
            specOf({ "kubernetes.network": { plugin: "kube-ovn", version: "1.12.21" }, "infrastructure.workerPools[0].labels": { a: "b" }, "infrastructure.workerPools[0].taints": [{ key: "k", value: "v", effect: "NoSchedule" }] }),
            specOf({ "kubernetes.network": { plugin: "calico", version: "3.31.5" } }),
        ];
        const rendered = [...new Set(variants.flatMap((spec) => renderedVariableNames({ spec, apiHost: API_HOST }, hostsOf(spec.nodes))))];
        const grep = (dirs: string[], word: string) => spawnSync("grep", ["-rlw", "--include=*.yml", "--include=*.j2", "--include=*.yaml", word, ...dirs.map((d) => path.join(tree, d))], { encoding: "utf8" }).stdout.trim();
        const ours = new Set(["ansible_host", "ansible_user", "ansible_python_interpreter", "ansible_ssh_common_args"]);
        for (const name of rendered.filter((n) => !ours.has(n))) {
            assert.ok(grep(["roles", "playbooks", "inventory"], name), `${name} is not a variable of Kubespray ${VERSION}`);
        }
        const controlPlaneRole = ["roles/kubernetes/control-plane"];
        // Host variables (a node's address, name, labels) are the node's own, not cluster configuration.
        const hostVariables = new Set(["ansible_host", "ip", "access_ip", "etcd_member_name", "node_labels", "node_taints"]);
        for (const name of rendered.filter((n) => !hostVariables.has(n))) {
            if (grep(controlPlaneRole, name)) {
                assert.ok(CONTROL_PLANE_VARS.has(name), `${name} is read by roles/kubernetes/control-plane: it belongs in CONTROL_PLANE_VARS`);
            }
        }
        // Read through a kubespray_defaults variable made from them (kube_pods_subnets, kube_service_subnets).
        const indirect = new Set(["kube_pods_subnet", "kube_service_addresses"]);
        for (const name of CONTROL_PLANE_VARS) {
            assert.ok(grep(controlPlaneRole, name) || indirect.has(name), `${name} is not read by roles/kubernetes/control-plane`);
        }
    });

    it("the version table lists exactly the Kubernetes versions this release has checksums for", () => {
        const checksums = parse(fs.readFileSync(path.join(tree, "roles", "kubespray_defaults", "vars", "main", "checksums.yml"), "utf8"));
        const keys = (name: string) => Object.keys(checksums[name].amd64);
        assert.deepStrictEqual(KUBESPRAY_RELEASES[VERSION].kubernetes, keys("kubelet_checksums"));
        assert.deepStrictEqual(keys("kubeadm_checksums"), keys("kubelet_checksums"));
        assert.deepStrictEqual(keys("kubectl_checksums"), keys("kubelet_checksums"));
    });

    it("network plugin versions are written without a leading v, as this release's defaults are", () => {
        const download = fs.readFileSync(path.join(tree, "roles", "kubespray_defaults", "defaults", "main", "download.yml"), "utf8");
        assert.match(download, /^cilium_version: "\d+\.\d+\.\d+"$/m);
        assert.match(download, /^kube_ovn_version: "\d+\.\d+\.\d+"$/m);
        assert.match(download, /calico\/raw\/v\{\{ calico_version \}\}/);
        const vars = renderInventory({ spec: specOf({ "kubernetes.network": { plugin: "cilium", version: "1.19.3" } }), apiHost: API_HOST })["group_vars/k8s_cluster/k8s-cluster.yml"];
        assert.match(vars, /^cilium_version: 1\.19\.3$/m);
    });

    it("the SSH key playbook reaches the bastion and every node, the bastion never exclusively", async () => {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-"));
        const spec = specOf();
        writeInventory(base, renderInventory({ spec, apiHost: API_HOST, bastionHost: "198.51.100.7" }));
        const hosts = parse(fs.readFileSync(path.join(base, "hosts.yaml"), "utf8"));
        hosts.all.hosts.bastion = { ansible_host: "198.51.100.7", ansible_ssh_common_args: "-o ServerAliveInterval=30" };
        hosts.all.children.bastion = { hosts: { bastion: {} } };
        fs.writeFileSync(path.join(base, "hosts.yaml"), JSON.stringify(hosts));
        const ctx = contextFor(checkout, base);
        const book = path.join(__dirname, "..", "..", "components", "kubespray", "playbooks", "authorize-keys.yml");
        const vars = path.join(base, "vars.json");
        fs.writeFileSync(vars, JSON.stringify({ authorized_keys: ["ssh-ed25519 AAAA new"], retired_keys: ["ssh-ed25519 AAAA old"], tolerate_unreachable: false }));
        const call = invocation(ctx, "ansible-playbook", [...playbookArgs(ctx, book, vars), "--list-hosts"], false);
        const result = spawnSync(call.command, call.args, { env: call.env, cwd: call.cwd, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        const plays = parsePlays(result.stdout);
        assert.deepStrictEqual(plays.map((p) => [p.pattern, p.hosts.sort()]), [["bastion", ["bastion"]], ["all:!bastion", spec.nodes.map((n) => n.name).sort()]]);
        const bastionPlay = parse(fs.readFileSync(book, "utf8"))[0];
        assert.strictEqual(bastionPlay.hosts, "bastion");
        assert.deepStrictEqual(bastionPlay.tasks.map((t: Record<string, { state: string; exclusive?: boolean }>) => [t["ansible.posix.authorized_key"].state, t["ansible.posix.authorized_key"].exclusive]), [["present", undefined], ["absent", undefined]]);
    });
});
