/**
 * The Kubespray runner: what every Kubespray command resource executes.
 *
 *   node dist/components/kubespray/runner/main.js <operation>   (compiled by `npm run build`)
 *
 * It reads its desired state from KUBESPRAY_DESIRED and its previous state from the command's last
 * stdout (PULUMI_COMMAND_STDOUT), plans the runs with planner.ts, checks the maintenance window,
 * runs them with their step names on every log line, and prints the new state on success. A failed
 * run prints nothing to stdout, so the resource keeps its previous state and the next `pulumi up`
 * plans the same work again: a re-run resumes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planAuthorize, planCluster, planGate, planReady, planWorkers, type Plan, type Step } from "../planner";
import type { ClusterState, CommandState, KeysState, MachineState, WorkersState } from "../state";
import { kubesprayHome, RUNNER_SETTINGS_FILE } from "../workspace";
import { adHoc, controlPlaneHosts, inventoryWith, playbook, PLAYBOOKS_DIR, type AnsibleContext } from "./ansible";
import { missingTools, run, StepError, writePrivateKey } from "./exec";
import { describeWindows, insideWindow, type Window } from "./window";

const OPERATIONS = ["prepare", "cluster", "workers", "gate", "ready", "authorize", "kubeconfig"] as const;
type Operation = (typeof OPERATIONS)[number];

/** Our own playbook (not Kubespray's), so it is found from the project, whichever checkout is current. */
const AUTHORIZE_PLAYBOOK = path.join(PLAYBOOKS_DIR, "authorize-keys.yml");

/** Written by `prepare` into the checkout: how later operations run Ansible (venv or image). */
const RUNNER_FILE = ".clusters-runner.json";

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
    /** Shared checkouts: `<home>/kubespray-<version>`, `<home>/current`. */
    readonly home: string;
    /** This stack's files: inventory/ (written by the program), known_hosts. */
    readonly dir: string;
}

function workspace(): Workspace {
    const home = path.resolve(kubesprayHome(env("KUBESPRAY_HOME")));
    return { home, dir: path.join(home, env("KUBESPRAY_STACK")) };
}

function checkoutOf(ws: Workspace, version?: string): string {
    return path.join(ws.home, version ? `kubespray-${version}` : "current");
}

/** Tools needed before any long step; all missing ones named at once. */
function checkTools(runner: string): void {
    const needed = runner === "container" ? ["ssh", process.env.KUBESPRAY_CONTAINER_RUNTIME ?? "docker"] : ["python3", "git", "ssh", "ssh-keygen"];
    const missing = missingTools(needed);
    if (missing.length) {
        throw new StepError("check tools", `missing on this machine: ${missing.join(", ")}. Install them (e.g. apt-get install -y python3-venv git openssh-client) and run pulumi up again`);
    }
}

export interface RunnerSettings {
    readonly version: string;
    readonly runner: "venv" | "container";
    readonly image: string;
    readonly repository: string;
}

function settingsFromEnvironment(): RunnerSettings {
    return {
        version: env("KUBESPRAY_VERSION"),
        runner: env("KUBESPRAY_RUNNER") as RunnerSettings["runner"],
        image: process.env.KUBESPRAY_IMAGE ?? "",
        repository: process.env.KUBESPRAY_REPOSITORY ?? "",
    };
}

/** What the program wrote beside the inventory on this run (see components/kubespray/index.ts). */
function settingsFromWorkspace(inventoryDir: string): RunnerSettings | undefined {
    const file = path.join(inventoryDir, RUNNER_SETTINGS_FILE);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as RunnerSettings : undefined;
}

function prepared(checkout: string, settings: RunnerSettings): boolean {
    return settings.runner === "container"
        ? fs.existsSync(path.join(checkout, RUNNER_FILE))
        : fs.existsSync(path.join(checkout, "cluster.yml")) && fs.existsSync(path.join(checkout, ".venv", "bin", "ansible-playbook"));
}

async function prepare(ws: Workspace, settings: RunnerSettings): Promise<void> {
    checkTools(settings.runner);
    fs.mkdirSync(ws.home, { recursive: true });
    const checkout = checkoutOf(ws, settings.version);
    if (settings.runner === "container") {
        await run("pull Kubespray image", process.env.KUBESPRAY_CONTAINER_RUNTIME ?? "docker", ["pull", settings.image]);
        fs.mkdirSync(checkout, { recursive: true });
    } else {
        if (!fs.existsSync(path.join(checkout, "cluster.yml"))) {
            await run("clone Kubespray", "git", ["clone", "--depth", "1", "--branch", `v${settings.version}`, settings.repository, checkout]);
        }
        if (!fs.existsSync(path.join(checkout, ".venv", "bin", "ansible-playbook"))) {
            await run("create virtualenv", "python3", ["-m", "venv", path.join(checkout, ".venv")]);
            await run("install Kubespray requirements", path.join(checkout, ".venv", "bin", "pip"), ["install", "--quiet", "-r", path.join(checkout, "requirements.txt")]);
        }
    }
    // Later operations find how to run Ansible here, so their inputs need not carry the version.
    fs.writeFileSync(path.join(checkout, RUNNER_FILE), JSON.stringify({ runner: settings.runner, image: settings.image }));
    const current = checkoutOf(ws);
    fs.rmSync(current, { force: true });
    fs.symlinkSync(path.basename(checkout), current);
}

/**
 * The checkout for this run. A fresh machine (a Deployments runner, a new laptop) has none even though
 * the prepare command did not change, so it is made here from the settings the program wrote.
 */
async function ensureCheckout(ws: Workspace, inventoryDir: string): Promise<void> {
    const settings = settingsFromWorkspace(inventoryDir);
    if (settings && !prepared(checkoutOf(ws, settings.version), settings)) {
        await prepare(ws, settings);
    }
}

function ansibleContext(ws: Workspace, inventoryDir: string, keyFile: string): AnsibleContext {
    if (!fs.existsSync(checkoutOf(ws))) {
        throw new StepError("find Kubespray", `${checkoutOf(ws)} is missing; the prepare step makes it, so run pulumi up again`);
    }
    const checkout = fs.realpathSync(checkoutOf(ws));
    const recorded = fs.existsSync(path.join(checkout, RUNNER_FILE)) ? JSON.parse(fs.readFileSync(path.join(checkout, RUNNER_FILE), "utf8")) as { runner: "venv" | "container"; image: string } : undefined;
    return {
        checkout,
        // An empty setting counts as unset: the checkout's record decides.
        runner: (process.env.KUBESPRAY_RUNNER || recorded?.runner || "venv") as "venv" | "container",
        image: process.env.KUBESPRAY_IMAGE || recorded?.image || "",
        inventoryDir,
        keyFile,
        knownHosts: path.join(ws.dir, "known_hosts"),
    };
}

/** Node names the cluster has now, read on a control-plane node; undefined before the first install. */
async function liveNodes(ctx: AnsibleContext, exclude: readonly string[] = []): Promise<Set<string>> {
    const candidates = controlPlaneHosts(ctx.inventoryDir).filter((h) => !exclude.includes(h));
    const failures: string[] = [];
    for (const host of candidates) {
        const result = await adHoc(ctx, "read cluster nodes", host, "ansible.builtin.command",
            "kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o jsonpath={.items[*].metadata.name}");
        if (host in result.ok) {
            return new Set(result.ok[host].split(/\s+/).filter(Boolean));
        }
        failures.push(`${host}: ${result.failed[host]}`);
    }
    throw new StepError("read cluster nodes", `no control-plane node answered (${failures.join("; ")})`);
}

function kubectlOn(ctx: AnsibleContext, title: string, args: string): Promise<unknown> {
    const host = controlPlaneHosts(ctx.inventoryDir)[0];
    return adHoc(ctx, title, host, "ansible.builtin.command", `kubectl --kubeconfig /etc/kubernetes/admin.conf ${args}`).then((r) => {
        if (!(host in r.ok)) throw new StepError(title, `${host}: ${r.failed[host]}`);
    });
}

async function execute(ctx: AnsibleContext, step: Step, drainArgs: string): Promise<void> {
    switch (step.kind) {
        case "reachable":
        case "wait-cloud-init": {
            // New VMs may take minutes to boot; existing hosts either answer or not. Tunable for slow clouds.
            const timeout = Number(process.env.KUBESPRAY_REACH_TIMEOUT ?? (process.env.KUBESPRAY_PROVIDER === "existing" ? 30 : 600));
            const result = step.kind === "reachable"
                ? await adHoc(ctx, step.title, step.hosts.join(","), "ansible.builtin.wait_for_connection", `timeout=${timeout}`)
                : await adHoc(ctx, step.title, step.hosts.join(","), "ansible.builtin.command", "cloud-init status --wait");
            const failed = Object.entries(result.failed);
            if (failed.length) {
                const verb = step.kind === "reachable" ? "cannot reach over SSH" : "cloud-init did not finish on";
                throw new StepError(step.title, `${verb}: ${failed.map(([host, why]) => `${host} (${why})`).join(", ")}`);
            }
            return;
        }
        case "playbook": {
            if (step.extraHosts?.length) {
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubespray-inventory-"));
                inventoryWith(ctx.inventoryDir, dir, step.extraHosts, step.extraHosts.map((h) => h.name));
                try {
                    await playbook({ ...ctx, inventoryDir: dir }, step.title, step.playbook, step.limit, step.extraVars as Record<string, unknown>);
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
                return;
            }
            if (step.playbook === "remove-node.yml") {
                // Kubespray cannot remove the first control-plane host: put the leaving node last.
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubespray-inventory-"));
                inventoryWith(ctx.inventoryDir, dir, [], String(step.extraVars.node).split(","));
                try {
                    await playbook({ ...ctx, inventoryDir: dir }, step.title, step.playbook, step.limit, step.extraVars as Record<string, unknown>);
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
                return;
            }
            await playbook(ctx, step.title, step.playbook, step.limit, step.extraVars as Record<string, unknown>);
            return;
        }
        case "drain":
            return kubectlOn(ctx, step.title, `drain ${step.node} --ignore-daemonsets --delete-emptydir-data ${drainArgs}`).then(() => undefined);
        case "uncordon":
            return kubectlOn(ctx, step.title, `uncordon ${step.node}`).then(() => undefined);
        case "wait-ready":
            return kubectlOn(ctx, step.title, `wait --for=condition=Ready node/${step.node} --timeout=900s`).then(() => undefined);
        case "etcd-snapshot": {
            const host = controlPlaneHosts(ctx.inventoryDir)[0];
            const result = await adHoc(ctx, step.title, host, "ansible.builtin.command", `etcdctl.sh snapshot save /var/backups/etcd-${step.label}.db`);
            if (!(host in result.ok)) throw new StepError(step.title, `${host}: ${result.failed[host]}`);
            return;
        }
        case "forget-host-key":
            if (fs.existsSync(ctx.knownHosts)) {
                await run(step.title, "ssh-keygen", ["-R", step.address, "-f", ctx.knownHosts]);
            }
            return;
        case "authorize":
            throw new StepError(step.title, "runs through the key-aware loop in operate()");
    }
}

/** Disruptive work waits for a maintenance window, or for the break-glass token of exactly this change. */
function checkWindow(operation: string, plan: Plan): void {
    if (!plan.disruptive) {
        return;
    }
    const windows = JSON.parse(process.env.KUBESPRAY_MAINTENANCE_WINDOWS ?? "[]") as Window[];
    const now = process.env.KUBESPRAY_NOW ? new Date(process.env.KUBESPRAY_NOW) : new Date();
    if (insideWindow(windows, now) || process.env.KUBESPRAY_BREAK_GLASS === "acknowledged") {
        return;
    }
    const token = process.env.KUBESPRAY_BREAK_GLASS_TOKEN ?? "";
    throw new StepError(`${operation}: maintenance window`, [
        `it is ${now.toISOString()}, outside the maintenance windows (${describeWindows(windows)}).`,
        `This change would: ${plan.steps.map((s) => s.title).join("; ")}.`,
        `To run it now, set operations.breakGlass: ${token} in the stack file and run pulumi up again; otherwise run pulumi up inside a window.`,
    ].join(" "));
}

interface Keys {
    readonly key: string;
    readonly previousKey?: string;
}

/**
 * SSH private keys arrive on stdin (the command resource's secret `stdin`), never in the environment:
 * the key alone, or `{"key": …, "previousKey": …}` for a rotation.
 */
function readPrivateKeys(): Keys {
    const text = fs.readFileSync(0, "utf8");
    const keys: Keys = text.trimStart().startsWith("{") ? JSON.parse(text) : { key: text };
    if (!keys.key?.includes("PRIVATE KEY")) {
        throw new StepError("read SSH key", "no SSH private key on standard input");
    }
    return keys;
}

async function withKey<T>(work: (keyFile: string, previousKeyFile?: string) => Promise<T>): Promise<T> {
    const keys = readPrivateKeys();
    const key = writePrivateKey(keys.key);
    const previous = keys.previousKey ? writePrivateKey(keys.previousKey) : undefined;
    try {
        return await work(key.file, previous?.file);
    } finally {
        key.cleanup();
        previous?.cleanup();
    }
}

async function operate(operation: Operation): Promise<string> {
    const ws = workspace();
    if (operation === "prepare") {
        await prepare(ws, settingsFromEnvironment());
        return env("KUBESPRAY_DESIRED");
    }
    const inventoryDir = path.join(ws.dir, "inventory");
    if (!fs.existsSync(path.join(inventoryDir, "hosts.yaml"))) {
        throw new StepError("read inventory", `${inventoryDir}/hosts.yaml is missing; the program writes it on every run, so run pulumi up again from the project directory`);
    }
    const desiredText = env("KUBESPRAY_DESIRED");
    await ensureCheckout(ws, inventoryDir);
    return withKey(async (keyFile, previousKeyFile) => {
        const ctx = ansibleContext(ws, inventoryDir, keyFile);
        if (operation === "kubeconfig") {
            return fetchKubeconfig(ctx);
        }
        const desired = JSON.parse(desiredText) as CommandState;
        const plan = await planFor(operation, ctx, desired);
        if (plan.refusal) {
            throw new StepError(`${operation}: plan`, plan.refusal);
        }
        checkWindow(operation, plan);
        const drain = JSON.parse(process.env.KUBESPRAY_DRAIN ?? "{}") as { gracePeriodSeconds?: number; timeoutSeconds?: number };
        const drainArgs = `--grace-period=${drain.gracePeriodSeconds ?? 300} --timeout=${drain.timeoutSeconds ?? 360}s`;
        for (const step of plan.steps) {
            process.stderr.write(`[kubespray: ${operation}] ${step.title}\n`);
            if (step.kind === "authorize") {
                const loginKey = step.loginWith === "previous" && previousKeyFile ? previousKeyFile : keyFile;
                await playbook({ ...ctx, keyFile: loginKey }, step.title, AUTHORIZE_PLAYBOOK, undefined, { authorized_keys: step.keys, tolerate_unreachable: step.tolerateUnreachable });
                continue;
            }
            await execute(ctx, step, drainArgs);
        }
        return desiredText;
    });
}

async function planFor(operation: Operation, ctx: AnsibleContext, desired: CommandState): Promise<Plan> {
    const drain = process.env.KUBESPRAY_DRAIN ? JSON.parse(process.env.KUBESPRAY_DRAIN) : undefined;
    switch (operation) {
        case "cluster": {
            const previous = previousState<ClusterState>();
            const d = desired as ClusterState;
            const leaving = previous ? previous.controlPlane.filter((h) => !d.controlPlane.some((c) => c.name === h.name)).map((h) => h.name) : [];
            return planCluster(previous, d, previous ? await liveNodes(ctx, leaving) : undefined);
        }
        case "workers": {
            const previous = previousState<WorkersState>();
            return planWorkers(previous, desired as WorkersState, await liveNodes(ctx), drain);
        }
        case "gate": {
            const previous = previousState<MachineState>();
            const d = desired as MachineState;
            const changed = previous && previous.machineHash !== d.machineHash;
            return planGate(previous, d, changed ? await liveNodes(ctx, [d.node.name]) : undefined, drain);
        }
        case "authorize":
            return planAuthorize(previousState<KeysState>(), desired as KeysState);
        case "ready": {
            const previous = previousState<MachineState>();
            const d = desired as MachineState;
            const changed = previous && previous.machineHash !== d.machineHash;
            return planReady(previous, d, changed ? await liveNodes(ctx, [d.node.name]) : undefined);
        }
        default:
            throw new StepError(operation, "not a planned operation");
    }
}

/** admin.conf from the first control-plane node, its server rewritten to the API endpoint. */
async function fetchKubeconfig(ctx: AnsibleContext): Promise<string> {
    const host = controlPlaneHosts(ctx.inventoryDir)[0];
    const result = await adHoc(ctx, "fetch kubeconfig", host, "ansible.builtin.command", "cat /etc/kubernetes/admin.conf");
    if (!(host in result.ok)) {
        throw new StepError("fetch kubeconfig", `${host}: ${result.failed[host]}`);
    }
    const server = `https://${env("KUBESPRAY_API_HOST")}:${env("KUBESPRAY_API_PORT")}`;
    return result.ok[host].replace(/^(\s*server:\s*).*$/m, `$1${server}`);
}

async function main(): Promise<number> {
    const operation = process.argv[2] as Operation;
    if (!OPERATIONS.includes(operation)) {
        process.stderr.write(`usage: main.ts <${OPERATIONS.join("|")}>\n`);
        return 2;
    }
    try {
        const output = await operate(operation);
        process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
        return 0;
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`[kubespray: ${operation}] FAILED: ${message}\n[kubespray: ${operation}] Nothing was recorded for this step; fix the cause and run pulumi up again to resume.\n`);
        return 1;
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
