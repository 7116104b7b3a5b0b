/**
 * The Kubespray runner: what every Kubespray command resource executes.
 *
 *   node dist/components/kubespray/runner/main.js <operation>   (compiled by `npm run build`)
 *
 * It reads its desired state from KUBESPRAY_DESIRED and its previous state from the command's last
 * stdout (PULUMI_COMMAND_STDOUT), the stack's settings (release, runner type, windows, break-glass,
 * drain) from the file the program writes beside the inventory, plans the runs with planner.ts, checks
 * the maintenance window, takes the cluster's lock, runs the steps, and prints the new state on
 * success. Full tool output goes to `<workDir>/<stack>/logs/<time>-<command>.log`, whose path it prints;
 * stderr stays under a fixed bound (exec.ts). A failed run prints nothing to stdout, so the resource
 * keeps its previous state and the next `pulumi up` plans the same work again: a re-run resumes.
 *
 * Only the stack file opens a maintenance window: the runner never reads the time or an
 * acknowledgement from its environment (which @pulumi/command inherits from `pulumi up`).
 */
import * as fs from "fs";
import * as path from "path";
import { describeSnapshot, FETCHED_ETCD_SNAPSHOT, pendingRecovery, settingsContext, planAuthorize, planCluster, planGate, planReady, planWorkers, type Plan, type PlanContext, type PlaybookStep, type Step } from "../planner";
import { breakGlassToken, type ClusterState, type CommandState, type KeysState, type KubeconfigState, type MachineState, type WorkersState } from "../state";
import { kubesprayHome, LOCK_FILE, readSettings, stackDir, type StackSettings } from "../workspace";
import { adHoc, checkImage, controlPlaneHosts, inventoryAddresses, invocation, knownHostsFile, playbook, PLAYBOOKS_DIR, readInventory, runInventory, workerHosts, type AnsibleContext } from "./ansible";
import { failureTail, missingTools, pruneLogs, run, RunLog, stderr, StepError, useLog } from "./exec";
import { batchOf, coalescible, collectPending, gatherBatch, recordRejoined, registerPending, takeResult, writeResults, type BatchOperation, type PendingEntry } from "./batch";
import { withLock } from "./lock";
import { downloadObject, type S3Credentials } from "./s3";
import { runDir, sweepLeftovers, writeSecretFile } from "./secrets";
import { finish, handleSignals, onCleanup, setStep, stopSignal, type Stopped } from "./shutdown";
import { describeWindows, insideWindow } from "./window";

const OPERATIONS = ["prepare", "cluster", "workers", "gate", "ready", "authorize", "kubeconfig"] as const;
type Operation = (typeof OPERATIONS)[number];

/** Our own playbooks (not Kubespray's), found from the project whichever release a stack pins. */
const AUTHORIZE_PLAYBOOK = path.join(PLAYBOOKS_DIR, "authorize-keys.yml");
const KUBECONFIG_PLAYBOOK = path.join(PLAYBOOKS_DIR, "kubeconfig-account.yml");

function env(name: string, required = true): string {
    const value = process.env[name];
    if (required && (value === undefined || value === "")) {
        throw new StepError("read settings", `${name} is not set`);
    }
    return value ?? "";
}

function previousState<T extends CommandState>(): T | undefined {
    const text = (process.env.PULUMI_COMMAND_STDOUT ?? "").trim();
    if (!text.startsWith("{")) {
        return undefined;
    }
    return JSON.parse(text) as T;
}

interface Workspace {
    /** Per-release checkouts: `<home>/kubespray-<version>`. */
    readonly home: string;
    /** This stack's files: inventory/ (written by the program), known_hosts, facts/, logs/, the lock. */
    readonly dir: string;
    readonly stack: string;
}

function workspace(): Workspace {
    const home = path.resolve(kubesprayHome(env("KUBESPRAY_HOME")));
    const stack = env("KUBESPRAY_STACK");
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(stack) || stack.includes("..")) {
        throw new StepError("read settings", "KUBESPRAY_STACK must be a stack name");
    }
    return { home, dir: stackDir(home, stack), stack };
}

function checkoutOf(ws: Workspace, version: string): string {
    if (!/^\d+\.\d+\.\d+$/.test(version)) {
        throw new StepError("read settings", `${JSON.stringify(version)} is not a Kubespray release number`);
    }
    return path.join(ws.home, `kubespray-${version}`);
}

/** Tools needed before any long step; all missing ones named at once. */
function checkTools(runner: string): void {
    const needed = runner === "container" ? ["ssh", process.env.KUBESPRAY_CONTAINER_RUNTIME ?? "docker"] : ["python3", "git", "ssh", "ssh-keygen"];
    const missing = missingTools(needed);
    if (missing.length) {
        throw new StepError("check tools", `missing on this machine: ${missing.join(", ")}. Install them (e.g. apt-get install -y python3-venv git openssh-client) and run pulumi up again`);
    }
}

type Release = Pick<StackSettings, "version" | "runner" | "image" | "repository">;

function releaseFromEnvironment(): Release {
    const runner = env("KUBESPRAY_RUNNER");
    if (runner !== "venv" && runner !== "container") {
        throw new StepError("read settings", "KUBESPRAY_RUNNER must be venv or container");
    }
    return { version: env("KUBESPRAY_VERSION"), runner, image: process.env.KUBESPRAY_IMAGE ?? "", repository: process.env.KUBESPRAY_REPOSITORY ?? "" };
}

function prepared(ws: Workspace, release: Release): boolean {
    const checkout = checkoutOf(ws, release.version);
    return release.runner === "container"
        ? fs.existsSync(path.join(ws.dir, "image-pulled")) && fs.readFileSync(path.join(ws.dir, "image-pulled"), "utf8") === release.image
        : fs.existsSync(path.join(checkout, "cluster.yml")) && fs.existsSync(path.join(checkout, ".venv", "bin", "ansible-playbook"));
}

/**
 * The release a stack pins, ready to run: a checkout and virtualenv per release (made once, under a lock
 * of its own, cloned beside and renamed, so two stacks preparing the same release never see half a
 * checkout), or the stack's image pulled.
 */
async function prepare(ws: Workspace, release: Release): Promise<void> {
    checkTools(release.runner);
    fs.mkdirSync(ws.dir, { recursive: true });
    if (release.runner === "container") {
        await run("pull Kubespray image", process.env.KUBESPRAY_CONTAINER_RUNTIME ?? "docker", ["pull", "--", checkImage(release.image)]);
        fs.writeFileSync(path.join(ws.dir, "image-pulled"), release.image);
        return;
    }
    const checkout = checkoutOf(ws, release.version);
    await withLock(`${checkout}.lock`, `prepare Kubespray ${release.version}`, async () => {
        if (!fs.existsSync(path.join(checkout, "cluster.yml"))) {
            const staging = `${checkout}.clone-${process.pid}`;
            fs.rmSync(staging, { recursive: true, force: true });
            await run("clone Kubespray", "git", ["clone", "--depth", "1", "--branch", `v${release.version}`, "--", release.repository, staging]);
            fs.renameSync(staging, checkout);
        }
        if (!fs.existsSync(path.join(checkout, ".venv", "bin", "ansible-playbook"))) {
            await run("create virtualenv", "python3", ["-m", "venv", path.join(checkout, ".venv")]);
            await run("install Kubespray requirements", path.join(checkout, ".venv", "bin", "pip"), ["install", "--quiet", "-r", path.join(checkout, "requirements.txt")]);
        }
    });
}

function ansibleContext(ws: Workspace, settings: StackSettings, inventoryDir: string, keyFile: string): AnsibleContext {
    return {
        checkout: checkoutOf(ws, settings.version),
        runner: settings.runner,
        image: settings.runner === "container" ? checkImage(settings.image) : settings.image,
        inventoryDir,
        stateDir: ws.dir,
        keyFile,
    };
}

/** Nodes the cluster has now, with their InternalIP, read on the first control-plane node that answers. */
async function liveNodes(ctx: AnsibleContext, exclude: readonly string[] = []): Promise<Map<string, string>> {
    const candidates = controlPlaneHosts(ctx.inventoryDir).filter((h) => !exclude.includes(h));
    const failures: string[] = [];
    for (const host of candidates) {
        const result = await adHoc(ctx, "read cluster nodes", host, "ansible.builtin.command",
            `kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes --no-headers '-o=custom-columns=NAME:.metadata.name,IP:.status.addresses[?(@.type=="InternalIP")].address'`);
        if (host in result.ok) {
            return new Map(result.ok[host].split("\n").map((line) => line.trim().split(/\s+/)).filter((f) => f[0]).map(([name, address]) => [name, address ?? ""]));
        }
        failures.push(`${host}: ${result.failed[host]}`);
    }
    throw new StepError("read cluster nodes", `no control-plane node answered (${failures.join("; ")})`);
}

/** kubectl on a control-plane node; returns its stdout. Arguments are node names and numbers only. */
async function kubectlOn(ctx: AnsibleContext, title: string, args: string, hosts: readonly string[]): Promise<string> {
    const failures: string[] = [];
    for (const host of hosts) {
        const result = await adHoc(ctx, title, host, "ansible.builtin.command", `kubectl --kubeconfig /etc/kubernetes/admin.conf ${args}`);
        if (host in result.ok) return result.ok[host];
        failures.push(`${host}: ${result.failed[host]}`);
    }
    throw new StepError(title, failures.join("; ") || "no control-plane node to run kubectl on");
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

function checkName(name: string): string {
    if (!NAME.test(name)) throw new StepError("check node name", `${JSON.stringify(name)} is not a node name`);
    return name;
}

interface Execution {
    readonly ctx: AnsibleContext;
    readonly settings: StackSettings;
    readonly live?: Map<string, string>;
    readonly drainArgs: string;
    /** Control-plane nodes to run kubectl on, the cluster's own first. */
    readonly kubectlHosts: readonly string[];
    /** Where `fetch-etcd-snapshot` puts the snapshot (0700 directory, removed after the run). */
    readonly snapshotFile: string;
    /** The backup storage's credentials, when the stack file restores a snapshot from it. */
    readonly backupStorage?: S3Credentials;
}

function bootFile(ctx: AnsibleContext, node: string): string {
    return path.join(ctx.stateDir, "boot", node);
}

async function nodeStatus(run: Execution, title: string, node: string): Promise<{ boot: string; ready: string }> {
    const out = await kubectlOn(run.ctx, title, `get node ${checkName(node)} --ignore-not-found '-o=jsonpath={.status.nodeInfo.bootID} {.status.conditions[?(@.type=="Ready")].status}'`, run.kubectlHosts);
    const [boot = "", ready = ""] = out.trim().split(/\s+/);
    return { boot, ready };
}

async function runPlaybookStep(run: Execution, step: PlaybookStep): Promise<void> {
    const { ctx } = run;
    const keep = (step.keep ?? []).map((host) => {
        const address = host.address ?? run.live?.get(host.name);
        if (!address || !IPV4.test(address)) {
            throw new StepError(step.title, `the address of ${host.name} is unknown (it is not in the cluster's node list)`);
        }
        return { ...host, address };
    });
    const dir = path.join(ctx.stateDir, "runs", `${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    runInventory(ctx.inventoryDir, path.join(dir, "inventory"), keep, step.last ?? [], run.live ? new Set(run.live.keys()) : undefined, step.broken ?? []);
    // The planner cannot know this machine's paths: the fetched snapshot's takes the placeholder's place.
    const extraVars = Object.fromEntries(Object.entries(step.extraVars).map(([key, value]) => {
        if (value !== FETCHED_ETCD_SNAPSHOT) return [key, value];
        if (!fs.existsSync(run.snapshotFile)) throw new StepError(step.title, "the etcd snapshot was not fetched");
        return [key, run.snapshotFile];
    }));
    try {
        const book = ctx.runner === "container" ? step.playbook : path.join(ctx.checkout, step.playbook);
        await playbook({ ...ctx, inventoryDir: path.join(dir, "inventory") }, step.title, book, step.limit, extraVars, step.tags);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function execute(run: Execution, step: Step, keys: { keyFile: string; previousKeyFile?: string }): Promise<void> {
    const { ctx } = run;
    switch (step.kind) {
        case "reachable": {
            // New VMs may take minutes to boot; existing hosts either answer or not. Tunable for slow clouds.
            const timeout = Number(process.env.KUBESPRAY_REACH_TIMEOUT ?? (run.settings.provider === "existing" ? 30 : 600));
            const result = await adHoc(ctx, step.title, step.hosts.map(checkPattern).join(","), "ansible.builtin.wait_for_connection", `timeout=${timeout}`);
            const failed = Object.entries(result.failed);
            if (failed.length) {
                throw new StepError(step.title, `cannot reach over SSH: ${failed.map(([host, why]) => `${host} (${why})`).join(", ")}`);
            }
            return;
        }
        case "wait-cloud-init": {
            // cloud-init status --wait: 0 done, 1 error, 2 done with recoverable errors ("degraded").
            const result = await adHoc(ctx, step.title, step.hosts.map(checkPattern).join(","), "ansible.builtin.command", "cloud-init status --wait", [], [0, 2]);
            const failed = Object.entries(result.failed);
            for (const [host, note] of Object.entries(result.notes)) {
                stderr.progress(`[kubespray: ${step.title}] cloud-init finished degraded on ${host} (exit 2): ${note}; continuing`);
            }
            if (failed.length) {
                throw new StepError(step.title, `cloud-init did not finish on: ${failed.map(([host, why]) => `${host} (${why})`).join(", ")}`);
            }
            return;
        }
        case "playbook":
            return runPlaybookStep(run, step);
        case "record-boot": {
            const { boot } = await nodeStatus(run, step.title, step.node);
            fs.mkdirSync(path.dirname(bootFile(ctx, step.node)), { recursive: true });
            fs.writeFileSync(bootFile(ctx, step.node), boot);
            return;
        }
        case "drain":
            await kubectlOn(ctx, step.title, `drain ${checkName(step.node)} --ignore-daemonsets --delete-emptydir-data ${run.drainArgs}`, run.kubectlHosts);
            return;
        case "uncordon":
            await kubectlOn(ctx, step.title, `uncordon ${checkName(step.node)}`, run.kubectlHosts);
            return;
        case "wait-ready":
            return waitReady(run, step.title, step.node);
        case "poweroff": {
            // Fire and forget: the connection drops as the guest goes down.
            const result = await adHoc(ctx, step.title, checkName(step.node), "ansible.builtin.shell", "sleep 2 && systemctl poweroff", ["-B", "30", "-P", "0"]);
            if (!(step.node in result.ok)) throw new StepError(step.title, `${step.node}: ${result.failed[step.node]}`);
            return;
        }
        case "etcd-snapshot":
            return etcdSnapshot(run, step.title, step.reason);
        case "fetch-etcd-snapshot":
            return fetchSnapshot(run, step.title, step.source);
        case "forget-host-key":
            if (!IPV4.test(step.address)) throw new StepError(step.title, `${step.address} is not an address`);
            if (fs.existsSync(knownHostsFile(ctx))) {
                await run_("ssh-keygen", step.title, ["-R", step.address, "-f", knownHostsFile(ctx)]);
            }
            return;
        case "restart-api-proxy": {
            // docs/operations/nodes.md, "Restart kube-system/nginx-proxy" (containerd variant).
            const result = await adHoc(ctx, step.title, "k8s_cluster", "ansible.builtin.shell", "crictl ps --name nginx-proxy -q | xargs -r crictl stop");
            const failed = Object.entries(result.failed);
            if (failed.length) throw new StepError(step.title, failed.map(([h, why]) => `${h}: ${why}`).join("; "));
            return;
        }
        case "update-cluster-info": {
            if (!IPV4.test(step.address)) throw new StepError(step.title, `${step.address} is not an address`);
            const k = "kubectl --kubeconfig /etc/kubernetes/admin.conf";
            await onFirstControlPlane(run, step.title, `${k} -n kube-public get configmap cluster-info -o yaml | sed -E 's#(server: https://)[^:/]+#\\1${step.address}#' | ${k} apply -f -`, "ansible.builtin.shell");
            return;
        }
        case "authorize":
            return authorize(run, step, keys);
    }
}

function run_(tool: string, title: string, args: string[]): Promise<string> {
    return run(title, tool, args);
}

function checkPattern(host: string): string {
    return host === "all" ? host : checkName(host);
}

async function onFirstControlPlane(run: Execution, title: string, command: string, module = "ansible.builtin.command"): Promise<void> {
    const host = run.kubectlHosts[0];
    const result = await adHoc(run.ctx, title, host, module, command);
    if (!(host in result.ok)) throw new StepError(title, `${host}: ${result.failed[host]}`);
}

const REASON = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * An etcd snapshot before a disruptive change. With the etcd-backup CronJob in the cluster (backup.storage
 * set: components/backup/etcd.ts), a Job made from it, `etcd-backup-<reason>`, takes the snapshot and
 * uploads it to `s3://<bucket>/etcd-snapshots/<cluster>/<reason>/`: the snapshot leaves the node. The runner
 * waits for the Job and fails (the upgrade does not start) when it fails. A Job of that name left by an
 * earlier attempt of the same change is replaced: its snapshot stays in the bucket, the new one is newer.
 * Without the CronJob, the snapshot is written on the first control-plane node, and the runner says where
 * and that it is not off the node.
 */
async function etcdSnapshot(run: Execution, title: string, reason: string): Promise<void> {
    if (!REASON.test(reason)) throw new StepError(title, `${JSON.stringify(reason)} is not a snapshot reason`);
    const cronJob = (await kubectlOn(run.ctx, title, "-n kube-system get cronjob etcd-backup --ignore-not-found -o name", run.kubectlHosts)).trim();
    if (!cronJob) {
        const host = run.kubectlHosts[0];
        const file = `/var/backups/etcd-${reason}.db`;
        await onFirstControlPlane(run, title, `etcdctl.sh snapshot save ${file}`);
        stderr.progress(`[kubespray: ${title}] etcd snapshot written ON THE NODE ${host}:${file}: it is NOT off the node (the cluster has no etcd-backup CronJob; set backup.storage to keep snapshots in the backup storage). To restore it: operations.recoverControlPlane.etcdSnapshot: {node: ${host}, path: ${file}}`);
        return;
    }
    const job = `etcd-backup-${reason}`;
    await kubectlOn(run.ctx, title, `-n kube-system delete job ${job} --ignore-not-found --wait=true`, run.kubectlHosts);
    await kubectlOn(run.ctx, title, `-n kube-system create job ${job} --from=cronjob/etcd-backup`, run.kubectlHosts);
    // The CronJob's Job gives up after activeDeadlineSeconds (1800 s): wait a little longer than that.
    const timeoutMs = Number(process.env.KUBESPRAY_SNAPSHOT_TIMEOUT ?? 1900) * 1000;
    const pollMs = Number(process.env.KUBESPRAY_READY_POLL ?? 10) * 1000;
    const started = Date.now();
    for (;;) {
        const conditions = (await kubectlOn(run.ctx, title, `-n kube-system get job ${job} '-o=jsonpath={.status.conditions[?(@.status=="True")].type}'`, run.kubectlHosts)).split(/\s+/);
        if (conditions.includes("Complete")) {
            const logs = await kubectlOn(run.ctx, title, `-n kube-system logs job/${job} -c upload --tail=20`, run.kubectlHosts).catch(() => "");
            const where = /uploaded (s3:\/\/\S+)/.exec(logs)?.[1] ?? `the backup storage under etcd-snapshots/<cluster>/${reason}/`;
            stderr.progress(`[kubespray: ${title}] etcd snapshot stored off the nodes: ${where} (Job kube-system/${job})`);
            return;
        }
        if (conditions.includes("Failed")) {
            const logs = await kubectlOn(run.ctx, title, `-n kube-system logs job/${job} --all-containers --tail=10`, run.kubectlHosts).catch(() => "");
            throw new StepError(title, `the etcd snapshot Job kube-system/${job} failed, so nothing was upgraded. Its last lines:\n${logs.trim() || "(no logs)"}\nSee kubectl -n kube-system describe job ${job}; fix the cause and run pulumi up again`);
        }
        if (Date.now() - started > timeoutMs) {
            throw new StepError(title, `the etcd snapshot Job kube-system/${job} did not finish within ${timeoutMs / 1000}s, so nothing was upgraded`);
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
}

/**
 * The snapshot a recovery restores, put where Kubespray's recover role copies it from (this machine):
 * downloaded from the backup storage, or fetched from a control-plane node over SSH.
 */
async function fetchSnapshot(run: Execution, title: string, source: Extract<Step, { kind: "fetch-etcd-snapshot" }>["source"]): Promise<void> {
    fs.mkdirSync(path.dirname(path.dirname(run.snapshotFile)), { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.dirname(run.snapshotFile), { recursive: true, mode: 0o700 });
    fs.chmodSync(path.dirname(run.snapshotFile), 0o700);
    fs.rmSync(run.snapshotFile, { force: true });
    if ("s3" in source) {
        if (!run.backupStorage) {
            throw new StepError(title, "no backup storage credentials reached the runner: set secrets.backupAccessKeyId and secrets.backupSecretAccessKey and run pulumi up again");
        }
        const size = await downloadObject(source.s3, run.backupStorage, run.snapshotFile);
        stderr.progress(`[kubespray: ${title}] ${describeSnapshot(source)}: ${size} bytes`);
        return;
    }
    if (!/^\/[A-Za-z0-9._\/-]+\.db$/.test(source.path) || source.path.split("/").includes("..")) throw new StepError(title, `${JSON.stringify(source.path)} is not a snapshot path`);
    const result = await adHoc(run.ctx, title, checkName(source.node), "ansible.builtin.fetch", `src=${source.path} dest=${run.snapshotFile} flat=yes fail_on_missing=yes`);
    if (!(source.node in result.ok) || !fs.existsSync(run.snapshotFile)) {
        throw new StepError(title, `${describeSnapshot(source)}: ${result.failed[source.node] ?? "not fetched"}`);
    }
    fs.chmodSync(run.snapshotFile, 0o600);
}

/**
 * Ready on a new boot: when the gate recorded the node's boot ID, a Node object still showing that
 * boot (the stale object of a machine that was recreated or restarted) does not count.
 */
async function waitReady(run: Execution, title: string, node: string): Promise<void> {
    const file = bootFile(run.ctx, node);
    const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
    const timeoutMs = Number(process.env.KUBESPRAY_READY_TIMEOUT ?? 1800) * 1000;
    const pollMs = Number(process.env.KUBESPRAY_READY_POLL ?? 10) * 1000;
    const started = Date.now();
    for (;;) {
        const status = await nodeStatus(run, title, node).catch(() => ({ boot: "", ready: "" }));
        if (status.ready === "True" && status.boot !== "" && status.boot !== before) {
            fs.rmSync(file, { force: true });
            return;
        }
        if (Date.now() - started > timeoutMs) {
            const why = status.boot === "" ? "it is not registered" : status.boot === before ? "it still shows the boot from before its machine changed" : `Ready is ${status.ready || "unknown"}`;
            throw new StepError(title, `${node} did not become Ready on a new boot within ${timeoutMs / 1000}s: ${why}`);
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
}

/** Our key playbook, with the bastion (when there is one) added to this run's inventory. */
async function authorize(run: Execution, step: Extract<Step, { kind: "authorize" }>, keys: { keyFile: string; previousKeyFile?: string }): Promise<void> {
    const { ctx, settings } = run;
    const loginKey = step.loginWith === "previous" && keys.previousKeyFile ? keys.previousKeyFile : keys.keyFile;
    const dir = path.join(ctx.stateDir, "runs", `${process.pid}`, "inventory");
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.cpSync(ctx.inventoryDir, dir, { recursive: true });
    if (settings.bastion) {
        if (!IPV4.test(settings.bastion.host) && !NAME.test(settings.bastion.host)) throw new StepError(step.title, "the bastion is not a host name or address");
        const document = readInventory(dir);
        document.all.hosts.bastion = { ansible_host: settings.bastion.host, ansible_user: settings.bastion.user, ansible_ssh_common_args: "-o ServerAliveInterval=30" };
        document.all.children.bastion = { hosts: { bastion: {} } };
        const { stringify } = await import("yaml");
        fs.writeFileSync(path.join(dir, "hosts.yaml"), stringify(document, { lineWidth: 0 }));
    }
    try {
        await playbook({ ...ctx, inventoryDir: dir, keyFile: loginKey }, step.title, AUTHORIZE_PLAYBOOK, undefined,
            { authorized_keys: step.keys, retired_keys: step.retire, tolerate_unreachable: step.tolerateUnreachable });
    } finally {
        fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
}

/** Disruptive work waits for a maintenance window, or for the break-glass token of exactly this change. */
export function windowRefusal(command: string, desired: CommandState, plan: Plan, settings: Pick<StackSettings, "maintenanceWindows" | "breakGlass">, now: Date): string | undefined {
    if (!plan.disruptive) {
        return undefined;
    }
    const token = breakGlassToken(command, desired);
    if (insideWindow(settings.maintenanceWindows, now) || settings.breakGlass === token) {
        return undefined;
    }
    return [
        `it is ${now.toISOString()}, outside the maintenance windows (${describeWindows(settings.maintenanceWindows)}).`,
        `To run it now, set operations.breakGlass: ${token} in the stack file and run pulumi up again; otherwise run pulumi up inside a window.`,
        `This change would: ${plan.steps.map((s) => s.title).join("; ")}.`,
    ].join("\n");
}

interface Keys {
    readonly key: string;
    readonly previousKey?: string;
    /** The backup storage's credentials (a recovery that restores a snapshot from it). */
    readonly backupStorage?: S3Credentials;
}

/**
 * SSH private keys arrive on stdin (the command resource's secret `stdin`), never in the environment:
 * the key alone, or `{"key": …, "previousKey": …, "backupStorage": {"accessKeyId": …, "secretAccessKey": …}}`.
 */
function readPrivateKeys(): Keys {
    const text = fs.readFileSync(0, "utf8");
    const keys: Keys = text.trimStart().startsWith("{") ? JSON.parse(text) : { key: text };
    if (!keys.key?.includes("PRIVATE KEY")) {
        throw new StepError("read SSH key", "no SSH private key on standard input");
    }
    return keys;
}

/** This run's secrets: the SSH keys in its private directory (secrets.ts), removed on every exit path. */
interface RunSecrets {
    /** `<stack>/secrets/<pid>/`: also where the provider's token file is written. */
    readonly dir: string;
    readonly keyFile: string;
    readonly previousKeyFile?: string;
    readonly backupStorage?: S3Credentials;
}

async function withKey<T>(ws: Workspace, work: (secrets: RunSecrets) => Promise<T>): Promise<T> {
    const keys = readPrivateKeys();
    const { dir, cleanup } = runDir(ws.dir, "secrets");
    const withNewline = (key: string) => (key.endsWith("\n") ? key : `${key}\n`);
    const storage = keys.backupStorage;
    try {
        return await work({
            dir,
            keyFile: writeSecretFile(dir, "id", withNewline(keys.key)),
            previousKeyFile: keys.previousKey ? writeSecretFile(dir, "previous-id", withNewline(keys.previousKey)) : undefined,
            backupStorage: typeof storage?.accessKeyId === "string" && typeof storage.secretAccessKey === "string" ? storage : undefined,
        });
    } finally {
        cleanup();
    }
}

async function operate(operation: Operation, ws: Workspace, command: string): Promise<string> {
    if (operation === "prepare") {
        await prepare(ws, releaseFromEnvironment());
        return env("KUBESPRAY_DESIRED");
    }
    if ((operation === "gate" || operation === "ready") && previousState() === undefined) {
        // A machine made now has nothing to drain or rejoin (planGate/planReady plan nothing without a
        // previous state): done before the release, the inventory, the lock and the cluster's node list,
        // none of which a new machine may wait for (on Day 1 there is no cluster to ask yet).
        return env("KUBESPRAY_DESIRED");
    }
    const inventoryDir = path.join(ws.dir, "inventory");
    const desiredText = env("KUBESPRAY_DESIRED");
    const desired = JSON.parse(desiredText) as CommandState;
    fs.mkdirSync(ws.dir, { recursive: true });
    // A worker's gate or ready says it waits, so the run that gets the lock first may do its work with
    // its batch's (batch.ts); unregistered on every exit path.
    const batchOperation: BatchOperation | undefined = (operation === "gate" || operation === "ready") && coalescible(desired) ? operation : undefined;
    const previousText = (process.env.PULUMI_COMMAND_STDOUT ?? "").trim();
    const unregister = batchOperation
        ? onCleanup(registerPending(ws.dir, batchOperation, { command, node: (desired as MachineState).node.name, desired: desiredText, previous: previousText }))
        : undefined;
    setStep("wait for the cluster lock");
    // The program writes the inventory and settings under this same lock (components/kubespray/index.ts,
    // never in a preview): read under it, they stay the ones this run started with until it ends.
    try {
        return await withLock(path.join(ws.dir, LOCK_FILE), command, async () => {
            try {
                if (batchOperation) {
                    const done = takeResult(ws.dir, batchOperation, (desired as MachineState).node.name, desiredText, previousText);
                    if (done) {
                        stderr.progress(`[kubespray: ${command}] done with its batch by ${done.by}${done.log ? ` (its log: ${done.log})` : ""}; nothing left to run`);
                        return desiredText;
                    }
                }
                return await locked();
            } finally {
                // Still under the lock: the next holder never takes this process's entry for waiting work.
                unregister?.();
            }
        }, { pollMs: lockPollMs() });
    } finally {
        unregister?.();
    }

    async function locked(): Promise<string> {
        const swept = sweepLeftovers(ws.dir);
        if (swept.length) {
            stderr.progress(`[kubespray: ${command}] removed what a run that was killed left in ${ws.dir}: ${swept.join(", ")}`);
        }
        const settings = readSettings(inventoryDir);
        if (!settings || !fs.existsSync(path.join(inventoryDir, "hosts.yaml"))) {
            throw new StepError("read inventory", `${inventoryDir} is incomplete; the program writes it on every pulumi up (not on a preview), so run pulumi up again from the project directory`);
        }
        if (batchOperation === "ready") {
            await gatherReadies(ws.dir, command, (desired as MachineState).node.name, settings);
        }
        if (!prepared(ws, settings)) {
            await prepare(ws, settings);
        }
        return withKey(ws, (secrets) => operateLocked(operation, ws, command, settings, desired, desiredText, secrets));
    }
}

async function operateLocked(operation: Operation, ws: Workspace, command: string, settings: StackSettings, desired: CommandState, desiredText: string, secrets: RunSecrets): Promise<string> {
    const inventoryDir = path.join(ws.dir, "inventory");
    const { keyFile, previousKeyFile, backupStorage } = secrets;
    // The run's inventory copies (runs/<pid>/) and a fetched snapshot never outlive it.
    const removeRunFiles = onCleanup(() => fs.rmSync(path.join(ws.dir, "runs", `${process.pid}`), { recursive: true, force: true }));
    const snapshotDir = path.join(ws.dir, "snapshots", `${process.pid}`);
    const removeSnapshot = onCleanup(() => fs.rmSync(snapshotDir, { recursive: true, force: true }));
    try {
        const ctx = ansibleContext(ws, settings, inventoryDir, keyFile);
        if (operation === "kubeconfig") {
            return await fetchKubeconfig(ctx, desired as KubeconfigState, secrets.dir);
        }
        const needsLive = operation !== "authorize" && !(operation === "cluster" && !previousState());
        // While the control plane is recovered, its API may not answer (etcd without quorum): plan without the node list.
        const recovering = (operation === "cluster" && pendingRecovery(previousState<ClusterState>(), desired as ClusterState) !== undefined)
            || ((operation === "gate" || operation === "ready") && (settings.recovering ?? []).includes((desired as MachineState).node?.name));
        const live = needsLive ? await liveNodes(ctx).catch((error: unknown) => {
            if (!recovering) throw error;
            stderr.progress(`[kubespray: ${command}] the API does not answer (${error instanceof Error ? error.message : String(error)}); going on without the node list while the control plane is recovered`);
            return undefined;
        }) : undefined;
        const planCtx: PlanContext = {
            live: live ? new Set(live.keys()) : undefined,
            controlPlane: controlPlaneHosts(inventoryDir),
            inventoryWorkers: workerHosts(inventoryDir),
            addresses: inventoryAddresses(inventoryDir),
            ...settingsContext(settings),
        };
        const plan = planFor(operation, desired, planCtx);
        if (plan.refusal) {
            throw new StepError(`${operation}: plan`, plan.refusal);
        }
        const now = new Date();
        const refusal = windowRefusal(command, desired, plan, settings, now);
        if (refusal) {
            throw new StepError(`${operation}: maintenance window`, refusal);
        }
        const batch = (operation === "gate" || operation === "ready") && coalescible(desired) && plan.steps.length
            ? coalesce(operation, ws.dir, command, desired, settings, planCtx, now)
            : undefined;
        const controlPlane = controlPlaneHosts(inventoryDir);
        const execution: Execution = {
            ctx, settings, live, backupStorage,
            drainArgs: `--grace-period=${settings.drain.gracePeriodSeconds} --timeout=${settings.drain.timeoutSeconds}s`,
            kubectlHosts: live ? [...controlPlane.filter((h) => live.has(h)), ...controlPlane.filter((h) => !live.has(h))] : controlPlane,
            snapshotFile: path.join(snapshotDir, "etcd-snapshot.db"),
        };
        for (const step of (batch?.plan ?? plan).steps) {
            setStep(step.title);
            stderr.progress(`[kubespray: ${command}] ${step.title}`);
            await execute(execution, step, { keyFile, previousKeyFile });
        }
        // Only a run that succeeded leaves results: after a failure every member plans its own work again.
        if (batch) writeResults(ws.dir, operation as BatchOperation, batch.members, command, currentLog);
        if (operation === "ready" && coalescible(desired)) {
            recordRejoined(ws.dir, [desired, ...(batch?.members ?? []).map((member) => JSON.parse(member.desired) as MachineState)]);
        }
        return desiredText;
    } finally {
        // A snapshot holds every Secret of the cluster: it never outlives the run.
        removeSnapshot();
        removeRunFiles();
    }
}

/**
 * A ready holding the lock waits for the readies of its batch's other recreated machines
 * (StackSettings.workerBatchReplacements), which Pulumi starts minutes apart as each machine is made,
 * up to KUBESPRAY_BATCH_GATHER_SECONDS (default 600), so the batch rejoins in one facts.yml and one
 * scale.yml run (batch.ts `gatherBatch`). A signal meanwhile stops it as in any step (shutdown.ts).
 */
async function gatherReadies(stackDir: string, command: string, node: string, settings: StackSettings): Promise<void> {
    const index = (settings.workerBatches ?? []).findIndex((batch) => batch.includes(node));
    const expected = index >= 0 ? settings.workerBatchReplacements?.[index] ?? [] : [];
    if (!expected.length) return;
    const configured = Number(process.env.KUBESPRAY_BATCH_GATHER_SECONDS);
    const boundSeconds = Number.isFinite(configured) && configured >= 0 ? configured : 600;
    setStep("wait for the readies of its batch");
    const missing = await gatherBatch(stackDir, node, expected, boundSeconds * 1000, lockPollMs(), (waiting) => {
        stderr.progress(`[kubespray: ${command}] waits up to ${boundSeconds}s, holding the cluster lock, for the readies of ${waiting.join(", ")} (machines of its batch this pulumi up recreates), so the batch rejoins in one run`);
    });
    if (missing.length) {
        stderr.progress(`[kubespray: ${command}] goes on without ${missing.join(", ")} after ${boundSeconds}s: they rejoin in a run of their own`);
    }
}

/**
 * This worker's change with those of its batch that wait for the lock (batch.ts), planned as one run.
 * Each member must pass its own maintenance-window check (a break-glass token names one command's change);
 * one that would not, or that has nothing to do, is left to its own turn. Undefined: run alone.
 */
function coalesce(operation: BatchOperation, stackDir: string, command: string, desired: MachineState, settings: StackSettings, planCtx: PlanContext, now: Date): { plan: Plan; members: PendingEntry[] } | undefined {
    const batch = batchOf(settings.workerBatches, desired.node.name);
    if (!batch) return undefined;
    const planOf = (changes: { previous?: MachineState; desired: MachineState }[]) => (operation === "gate" ? planGate(changes, planCtx) : planReady(changes, planCtx));
    const changeOf = (member: PendingEntry) => ({ previous: JSON.parse(member.previous) as MachineState, desired: JSON.parse(member.desired) as MachineState });
    const members = collectPending(stackDir, operation, desired.node.name, batch, planCtx.inventoryWorkers ?? []).filter((member) => {
        const alone = planOf([changeOf(member)]);
        return !alone.refusal && alone.steps.length > 0 && !windowRefusal(member.command, changeOf(member).desired, alone, settings, now);
    });
    if (!members.length) return undefined;
    const plan = planOf([{ previous: previousState<MachineState>(), desired }, ...members.map(changeOf)]);
    if (plan.refusal) return undefined;
    stderr.progress(`[kubespray: ${command}] runs the ${operation} of its batch as one: ${[desired.node.name, ...members.map((m) => m.node)].join(", ")}`);
    return { plan, members };
}

function planFor(operation: Operation, desired: CommandState, ctx: PlanContext): Plan {
    switch (operation) {
        case "cluster":
            return planCluster(previousState<ClusterState>(), desired as ClusterState, ctx);
        case "workers":
            return planWorkers(previousState<WorkersState>(), desired as WorkersState, ctx);
        case "gate":
            return planGate([{ previous: previousState<MachineState>(), desired: desired as MachineState }], ctx);
        case "ready":
            return planReady([{ previous: previousState<MachineState>(), desired: desired as MachineState }], ctx);
        case "authorize":
            return planAuthorize(previousState<KeysState>(), desired as KeysState);
        default:
            throw new StepError(operation, "not a planned operation");
    }
}

/**
 * A kubeconfig for the Kubernetes provider with a service-account token that does not expire
 * (playbooks/kubeconfig-account.yml), its server the API endpoint. The same token comes back on every
 * run until the generation changes, so the provider sees no diff.
 */
async function fetchKubeconfig(ctx: AnsibleContext, desired: KubeconfigState, secretsDir: string): Promise<string> {
    // In the run's private directory (0700, removed on every exit path; secrets.ts).
    const output = path.join(secretsDir, "kubeconfig.json");
    const failures: string[] = [];
    const generation = Math.max(0, Math.floor(Number(desired.generation) || 0));
    if (!/^https:\/\/[A-Za-z0-9.-]+:\d+$/.test(desired.server)) {
        throw new StepError("make the provider's credential", `${JSON.stringify(desired.server)} is not an API endpoint`);
    }
    for (const target of controlPlaneHosts(ctx.inventoryDir)) {
        try {
            await playbook(ctx, "make the provider's credential", KUBECONFIG_PLAYBOOK, undefined, { target, generation, output });
            const { token, ca, created } = JSON.parse(fs.readFileSync(output, "utf8")) as { token: string; ca: string; created?: string };
            return kubeconfigYaml(desired.server, ca, token, { generation, createdAt: created && !Number.isNaN(Date.parse(created)) ? new Date(created).toISOString() : undefined });
        } catch (error) {
            failures.push(`${target}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
            fs.rmSync(output, { force: true });
        }
    }
    throw new StepError("make the provider's credential", failures.join("; "));
}

/** The kubeconfig user's extension naming the token's generation and when its Secret was made (read by policies/lib/key-dates.ts). */
export const TOKEN_EXTENSION = "clusters.pulumi.io/token";

/**
 * The provider's kubeconfig. The user carries an extension (kubeconfig's `extensions`, which clients
 * ignore) with the token's generation and its Secret's creation time: the same on every run of a
 * generation, and what the key expiry policies date the credential by.
 */
export function kubeconfigYaml(server: string, ca: string, token: string, stamp: { generation: number; createdAt?: string } = { generation: 0 }): string {
    const name = "cluster";
    return [
        "apiVersion: v1", "kind: Config",
        "clusters:", `- name: ${name}`, "  cluster:", `    server: ${server}`, `    certificate-authority-data: ${ca}`,
        "users:", "- name: pulumi-clusters-admin", "  user:", `    token: ${token}`,
        "    extensions:", `    - name: ${TOKEN_EXTENSION}`, "      extension:", `        generation: ${stamp.generation}`,
        ...(stamp.createdAt ? [`        createdAt: "${stamp.createdAt}"`] : []),
        "contexts:", `- name: ${name}`, "  context:", `    cluster: ${name}`, "    user: pulumi-clusters-admin",
        `current-context: ${name}`, "",
    ].join("\n");
}

function logFileFor(ws: Workspace, command: string): string {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return path.join(ws.dir, "logs", `${stamp}-${command.replace(/[^A-Za-z0-9._-]/g, "_")}-${process.pid}.log`);
}

/** How often a waiter looks at the lock again: KUBESPRAY_LOCK_POLL seconds (tests), else 2 s. */
function lockPollMs(): number {
    const seconds = Number(process.env.KUBESPRAY_LOCK_POLL);
    return (Number.isFinite(seconds) && seconds > 0 ? seconds : 2) * 1000;
}

/** This run's log file, named in the results it leaves for its batch. */
let currentLog: string | undefined;

async function main(): Promise<number> {
    const operation = process.argv[2] as Operation;
    if (!OPERATIONS.includes(operation)) {
        process.stderr.write(`usage: main.js <${OPERATIONS.join("|")}>\n`);
        return 2;
    }
    const command = (process.env.KUBESPRAY_COMMAND ?? operation).replace(/[^A-Za-z0-9._-]/g, "_");
    let log: RunLog | undefined;
    handleSignals((stopped) => stderr.failure(stoppedReport(command, stopped, log?.file)));
    try {
        const ws = workspace();
        log = new RunLog(logFileFor(ws, command));
        log.open();
        useLog(log);
        pruneLogs(path.dirname(log.file));
        stderr.progress(`[kubespray: ${command}] ${operation}; full log: ${log.file}`);
        currentLog = log.file;
        const output = await operate(operation, ws, command);
        process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
        return 0;
    } catch (error) {
        // Stopped by a signal: the step failed because its tools were stopped; the handler reports that.
        if (stopSignal()) return 1;
        const message = error instanceof Error ? error.message : String(error);
        const tail = failureTail(error);
        stderr.failure([
            ...(tail.length ? [`[kubespray: ${command}] last ${tail.length} lines of the failed step:`, ...tail.map((l) => `  ${l}`)] : []),
            `[kubespray: ${command}] FAILED: ${message}`,
            ...(log ? [`[kubespray: ${command}] full log: ${log.file}`] : []),
            `[kubespray: ${command}] Nothing was recorded for this step; fix the cause and run pulumi up again to resume.`,
        ]);
        return 1;
    } finally {
        log?.close();
    }
}

/** What the runner says when a signal stopped it (shutdown.ts), within the stderr budget. */
export function stoppedReport(command: string, stopped: Stopped, logFile?: string): string[] {
    const prefix = `[kubespray: ${command}]`;
    const tools = stopped.groups.length
        ? stopped.groups.map((g) => `${g.step} (process group ${g.pgid})`).join(", ")
        : "";
    return [
        `${prefix} STOPPED by ${stopped.signal} during step "${stopped.step ?? "start"}".`,
        ...(tools ? [`${prefix} sent ${stopped.signal} to the tools it ran: ${tools}${stopped.killed.length ? `; killed after the grace period: process group ${stopped.killed.join(", ")}` : ""}${stopped.left.length ? "" : "; all have ended"}.`] : []),
        `${prefix} This run's SSH keys, etcd snapshot and token files were removed.`,
        stopped.released
            ? `${prefix} The cluster lock was released.`
            : `${prefix} The cluster lock is KEPT: process group ${stopped.left.join(", ")} did not end even on SIGKILL; the next run waits until it has.`,
        ...(logFile ? [`${prefix} full log: ${logFile}`] : []),
        `${prefix} Nothing was recorded for this step; run pulumi up again to resume.`,
    ];
}

if (require.main === module) {
    main().then(finish);
}

export { invocation };
