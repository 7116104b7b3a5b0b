/**
 * How the runner calls Ansible: from the stack's Kubespray release checkout with its virtualenv, or
 * inside Kubespray's container image, always under that release's own `ansible.cfg`. The SSH key goes
 * in as a file path variable, never as text on a command line.
 *
 * Settings the runner forces through the environment (Ansible's environment variables win over
 * ansible.cfg), each because Kubespray v2.31.0's ansible.cfg would otherwise decide differently:
 * - ANSIBLE_SSH_ARGS: ansible.cfg's `ssh_args` ends in `UserKnownHostsFile=/dev/null` and comes first
 *   on ssh's command line (first value wins), and `host_key_checking=False` adds
 *   `StrictHostKeyChecking=no`; the runner keeps Kubespray's ControlMaster/ConnectionAttempts options
 *   and uses the cluster's own known_hosts with `accept-new`, and ANSIBLE_HOST_KEY_CHECKING=True.
 * - ANSIBLE_CACHE_PLUGIN_CONNECTION: ansible.cfg keeps facts in /tmp, shared by every cluster on the
 *   machine; each cluster gets its own directory.
 * - ANSIBLE_FORKS: ansible.cfg sets no `forks`, so Ansible would work on 5 hosts at a time;
 *   docs/operations/large-deployments.md asks to "tune ansible settings for forks" (`--forks=50` for
 *   200 nodes). Each playbook run and each ad-hoc call (reachability, cloud-init wait over a whole batch)
 *   gets as many as it has hosts, at most 50 (`playbookForks`).
 * - For ad-hoc calls, ANSIBLE_STDOUT_CALLBACK=json and ANSIBLE_CALLBACKS_ENABLED= (empty): ansible.cfg
 *   enables `profile_tasks`, whose timing lines surround the JSON report.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT_ROOT } from "../../project";
import { INVENTORY_FILE } from "../inventory";
import { runInventoryOrder, type KeptHost } from "../planner";
import { run, StepError } from "./exec";

export interface AnsibleContext {
    /** The stack's Kubespray release checkout (venv runner): playbooks, ansible.cfg, `.venv/`. */
    readonly checkout: string;
    readonly runner: "venv" | "container";
    readonly image: string;
    /** Directory holding hosts.yaml and group_vars/ (the program's, or one run's copy). */
    readonly inventoryDir: string;
    /** The cluster's work directory: known_hosts, facts/, logs/, the lock. */
    readonly stateDir: string;
    readonly keyFile: string;
}

/** This project's own playbooks. */
export const PLAYBOOKS_DIR = path.join(PROJECT_ROOT, "components", "kubespray", "playbooks");

/** Where the Kubespray image keeps its checkout (its Dockerfile's WORKDIR). */
const IMAGE_CHECKOUT = "/kubespray";

export function knownHostsFile(ctx: Pick<AnsibleContext, "stateDir">): string {
    return path.join(ctx.stateDir, "known_hosts");
}

function containerRuntime(): string {
    return process.env.KUBESPRAY_CONTAINER_RUNTIME ?? "docker";
}

/**
 * An image reference as the distribution/reference grammar defines it (registry host, path components,
 * tag, digest); nothing that a container runtime could read as an option or a path.
 */
const IMAGE_REFERENCE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Refuses anything but an image reference (the spec checks too; the runner does not trust its input). */
export function checkImage(image: string): string {
    if (image.length > 255 || !IMAGE_REFERENCE.test(image)) {
        throw new StepError("check Kubespray image", `${JSON.stringify(image.slice(0, 80))} is not an image reference (kubespray.runner.image)`);
    }
    return image;
}

/** Environment every Ansible call gets (see the top of this file). */
export function ansibleEnvironment(ctx: AnsibleContext, adHoc: boolean): Record<string, string> {
    const checkout = ctx.runner === "container" ? IMAGE_CHECKOUT : ctx.checkout;
    return {
        ANSIBLE_CONFIG: path.join(checkout, "ansible.cfg"),
        ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=30m -o ConnectionAttempts=100 -o UserKnownHostsFile=${knownHostsFile(ctx)} -o StrictHostKeyChecking=accept-new`,
        ANSIBLE_HOST_KEY_CHECKING: "True",
        ANSIBLE_CACHE_PLUGIN_CONNECTION: path.join(ctx.stateDir, "facts"),
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_RETRY_FILES_ENABLED: "False",
        ...(adHoc ? { ANSIBLE_LOAD_CALLBACK_PLUGINS: "True", ANSIBLE_STDOUT_CALLBACK: "json", ANSIBLE_CALLBACKS_ENABLED: "" } : {}),
    };
}

export interface Invocation {
    readonly command: string;
    readonly args: readonly string[];
    readonly env: NodeJS.ProcessEnv;
    readonly cwd?: string;
}

/**
 * Program, arguments and environment for an Ansible tool. The container runner mounts every host path
 * it uses at the same path, so arguments need no rewriting, and puts `--` before the image.
 */
export function invocation(ctx: AnsibleContext, tool: "ansible" | "ansible-playbook", args: readonly string[], adHoc: boolean, extraEnv: Readonly<Record<string, string>> = {}): Invocation {
    const env = { ...ansibleEnvironment(ctx, adHoc), ...extraEnv };
    if (ctx.runner === "venv") {
        return { command: path.join(ctx.checkout, ".venv", "bin", tool), args, env: { ...process.env, ...env }, cwd: ctx.checkout };
    }
    const mounts = [...new Set([ctx.inventoryDir, path.dirname(ctx.keyFile), ctx.stateDir])].flatMap((dir) => ["-v", `${dir}:${dir}`]);
    const envArgs = Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
    return {
        command: containerRuntime(),
        args: ["run", "--rm", "--network", "host", ...mounts, "-v", `${PLAYBOOKS_DIR}:${PLAYBOOKS_DIR}:ro`, ...envArgs, "-w", IMAGE_CHECKOUT, "--", checkImage(ctx.image), tool, ...args],
        env: process.env,
    };
}

function commonArgs(ctx: AnsibleContext): string[] {
    return [
        "-i", path.join(ctx.inventoryDir, INVENTORY_FILE),
        "--become",
        "-e", `ansible_ssh_private_key_file=${ctx.keyFile}`,
        "-e", `kubespray_known_hosts=${knownHostsFile(ctx)}`,
    ];
}

/** Arguments of one playbook run: extra vars from a JSON file (never on the command line). */
export function playbookArgs(ctx: AnsibleContext, book: string, varsFile: string, limit?: readonly string[], tags?: readonly string[]): string[] {
    return [...commonArgs(ctx), "-e", `@${varsFile}`, ...(limit?.length ? ["--limit", limit.join(",")] : []), ...(tags?.length ? ["--tags", tags.join(",")] : []), book];
}

/** docs/operations/large-deployments.md: `--forks=50` when deploying 200 nodes. */
export const MAX_FORKS = 50;

/**
 * Forks for one playbook run or ad-hoc call: its hosts (the `--limit` or pattern when it names inventory
 * hosts only, else every host of the run's inventory), at most MAX_FORKS.
 */
export function playbookForks(inventoryDir: string, limit: readonly string[] | undefined): number {
    const hosts = Object.keys(readInventory(inventoryDir).all.hosts ?? {});
    const known = new Set(hosts);
    const count = limit?.length && limit.every((host) => known.has(host)) ? limit.length : hosts.length;
    return Math.min(MAX_FORKS, Math.max(1, count));
}

export async function playbook(ctx: AnsibleContext, title: string, book: string, limit: readonly string[] | undefined, extraVars: Readonly<Record<string, unknown>>, tags?: readonly string[]): Promise<void> {
    const varsFile = path.join(ctx.inventoryDir, "run-vars.json");
    fs.writeFileSync(varsFile, JSON.stringify(extraVars), { mode: 0o600 });
    const call = invocation(ctx, "ansible-playbook", playbookArgs(ctx, book, varsFile, limit, tags), false, { ANSIBLE_FORKS: String(playbookForks(ctx.inventoryDir, limit)) });
    await run(title, call.command, call.args, { env: call.env, cwd: call.cwd });
}

export interface AdHocResult {
    readonly ok: Record<string, string>;
    readonly failed: Record<string, string>;
    /** Hosts whose command exited with an accepted non-zero code: the first line of its output. */
    readonly notes: Record<string, string>;
}

/**
 * An ad-hoc module run with the json callback, so results are read per host rather than scraped.
 * `okCodes` are exit codes of a command that count as success (reported in `notes`).
 */
export async function adHoc(ctx: AnsibleContext, title: string, pattern: string, module: string, moduleArgs: string, extra: readonly string[] = [], okCodes: readonly number[] = [0]): Promise<AdHocResult> {
    const call = invocation(ctx, "ansible", [...commonArgs(ctx), pattern, "-m", module, "-a", moduleArgs, ...extra], true, { ANSIBLE_FORKS: String(playbookForks(ctx.inventoryDir, pattern.split(","))) });
    let output = "";
    let failure: StepError | undefined;
    try {
        output = await run(title, call.command, call.args, { env: call.env, capture: true, cwd: call.cwd });
    } catch (error) {
        failure = error instanceof StepError ? error : new StepError(title, String(error));
        output = failure.captured;
    }
    const result = parseAdHoc(output, okCodes);
    // Ansible exits non-zero when a host fails; only a run with no per-host result at all is an error here.
    if (failure && Object.keys(result.failed).length + Object.keys(result.ok).length === 0) {
        throw failure;
    }
    return result;
}

/**
 * The json callback's report out of whatever else the run printed (a callback enabled in an
 * ansible.cfg, warnings on stdout): the first line that is exactly "{" starts it, and a JSON parser
 * that stops at the end of the first complete value reads it.
 */
export function extractJsonReport(output: string): unknown | undefined {
    const lines = output.split("\n");
    for (let i = 0; i < lines.length; i++) {
        if (lines[i] !== "{") continue;
        const candidate = lines.slice(i).join("\n");
        const end = endOfFirstValue(candidate);
        if (end > 0) {
            try {
                return JSON.parse(candidate.slice(0, end));
            } catch {
                // not the report: keep looking
            }
        }
    }
    return undefined;
}

/** Index just past the first complete JSON object or array in text starting with "{" or "[". */
function endOfFirstValue(text: string): number {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
            if (c === "\\") i++;
            else if (c === "\"") inString = false;
        } else if (c === "\"") inString = true;
        else if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") {
            depth--;
            if (depth === 0) return i + 1;
        }
    }
    return -1;
}

type HostResult = { failed?: boolean; unreachable?: boolean; msg?: string; stdout?: string; stderr?: string; rc?: number };

export function parseAdHoc(output: string, okCodes: readonly number[] = [0]): AdHocResult {
    const ok: Record<string, string> = {};
    const failed: Record<string, string> = {};
    const notes: Record<string, string> = {};
    const report = extractJsonReport(output) as { plays?: { tasks?: { hosts?: Record<string, HostResult> }[] }[] } | undefined;
    for (const play of report?.plays ?? []) {
        for (const task of play.tasks ?? []) {
            for (const [host, result] of Object.entries(task.hosts ?? {})) {
                const accepted = result.failed && !result.unreachable && result.rc !== undefined && result.rc !== 0 && okCodes.includes(result.rc);
                if ((result.failed || result.unreachable) && !accepted) {
                    failed[host] = (result.msg || result.stderr || "failed").split("\n")[0];
                } else {
                    ok[host] = result.stdout ?? "";
                    if (accepted) notes[host] = (result.stdout || result.stderr || `exit ${result.rc}`).split("\n")[0];
                }
            }
        }
    }
    return { ok, failed, notes };
}

interface InventoryDocument {
    all: { vars?: Record<string, unknown>; hosts: Record<string, Record<string, unknown>>; children: Record<string, { hosts?: Record<string, unknown>; children?: Record<string, unknown> }> };
}

export function readInventory(dir: string): InventoryDocument {
    return parse(fs.readFileSync(path.join(dir, INVENTORY_FILE), "utf8")) as InventoryDocument;
}

/** Control-plane host names from an inventory directory, in order. */
export function controlPlaneHosts(inventoryDir: string): string[] {
    return Object.keys(readInventory(inventoryDir).all.children.kube_control_plane?.hosts ?? {});
}

/** Each host's SSH address (`ansible_host`) from an inventory directory. */
export function inventoryAddresses(inventoryDir: string): Map<string, string> {
    return new Map(Object.entries(readInventory(inventoryDir).all.hosts ?? {}).map(([name, vars]) => [name, String(vars.ansible_host ?? "")]));
}

/** Worker host names from an inventory directory. */
export function workerHosts(inventoryDir: string): string[] {
    const doc = readInventory(inventoryDir);
    const controlPlane = new Set(Object.keys(doc.all.children.kube_control_plane?.hosts ?? {}));
    return Object.keys(doc.all.children.kube_node?.hosts ?? {}).filter((h) => !controlPlane.has(h));
}

/**
 * One run's copy of the inventory: hosts that are leaving the spec added back (Kubespray removes a node
 * that is still in the inventory), the control-plane/etcd groups ordered so that a node the cluster
 * does not have yet, or one being removed or recovered, is never first (see runInventoryOrder), and for
 * a recovery the `broken_etcd` and `broken_kube_control_plane` groups recover-control-plane.yml reads
 * (docs/operations/recover-control-plane.md; the hosts keep their `etcd_member_name`).
 */
export function runInventory(baseDir: string, targetDir: string, keep: readonly (KeptHost & { address: string })[], last: readonly string[], live: ReadonlySet<string> | undefined, broken: readonly string[] = []): void {
    fs.cpSync(baseDir, targetDir, { recursive: true });
    const document = readInventory(targetDir);
    for (const host of keep) {
        // main_ip/main_access_ip are facts Kubespray's network_facts role sets (roles/network_facts, from
        // ip/access_ip); remove_node.yml skips that role with reset_nodes=false, yet remove-etcd-node finds
        // the member by etcd_peer_url, made of main_access_ip: given here so a host that cannot be reached
        // (or whose cached facts expired) is still matched. The role's facts win whenever it runs.
        const entry = document.all.hosts[host.name] ?? { ansible_host: host.address, ip: host.address, access_ip: host.address };
        document.all.hosts[host.name] = { ...entry, main_ip: entry.ip ?? host.address, main_access_ip: entry.access_ip ?? host.address };
        const groups = host.role === "control-plane" ? ["kube_control_plane", "etcd"] : ["kube_node"];
        for (const group of groups) {
            document.all.children[group].hosts = { ...(document.all.children[group].hosts ?? {}), [host.name]: {} };
        }
    }
    for (const group of ["kube_control_plane", "etcd"]) {
        const hosts = Object.keys(document.all.children[group].hosts ?? {});
        document.all.children[group].hosts = Object.fromEntries(runInventoryOrder(hosts, live, last).map((h) => [h, {}]));
    }
    if (broken.length) {
        const controlPlane = Object.keys(document.all.children.kube_control_plane.hosts ?? {});
        const unknown = broken.filter((h) => !controlPlane.includes(h));
        if (unknown.length) throw new StepError("write the run's inventory", `${unknown.join(", ")} is not a control-plane host of the inventory`);
        const hosts = Object.fromEntries(broken.map((h) => [h, {}]));
        document.all.children.broken_etcd = { hosts };
        document.all.children.broken_kube_control_plane = { hosts: { ...hosts } };
    }
    fs.writeFileSync(path.join(targetDir, INVENTORY_FILE), stringify(document, { lineWidth: 0 }));
}
