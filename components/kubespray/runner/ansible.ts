/**
 * How the runner calls Ansible: from the Kubespray checkout's virtualenv, or inside Kubespray's
 * container image. The SSH key goes in as a file path variable, never as text on a command line.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT_ROOT } from "../../project";
import { INVENTORY_FILE } from "../inventory";
import { run, StepError } from "./exec";

export interface AnsibleContext {
    /** Kubespray checkout (venv runner) holding playbooks and `.venv/`. */
    readonly checkout: string;
    readonly runner: "venv" | "container";
    readonly image: string;
    /** Directory holding hosts.yaml and group_vars/. */
    readonly inventoryDir: string;
    readonly keyFile: string;
    readonly knownHosts: string;
}

/** This project's own playbooks (mounted read-only into the container runner). */
export const PLAYBOOKS_DIR = path.join(PROJECT_ROOT, "components", "kubespray", "playbooks");

function containerRuntime(): string {
    return process.env.KUBESPRAY_CONTAINER_RUNTIME ?? "docker";
}

/** Program and arguments for an Ansible tool, wrapped for the container runner when needed. */
function tool(ctx: AnsibleContext, name: "ansible" | "ansible-playbook", args: string[]): [string, string[]] {
    if (ctx.runner === "venv") {
        return [path.join(ctx.checkout, ".venv", "bin", name), args];
    }
    const mounts = [
        "-v", `${ctx.inventoryDir}:/inventory:ro`,
        "-v", `${path.dirname(ctx.keyFile)}:/key:ro`,
        "-v", `${path.dirname(ctx.knownHosts)}:/state`,
        "-v", `${PLAYBOOKS_DIR}:/playbooks:ro`,
    ];
    const inner = args.map((arg) => arg
        .replace(ctx.inventoryDir, "/inventory")
        .replace(ctx.keyFile, `/key/${path.basename(ctx.keyFile)}`)
        .replace(ctx.knownHosts, `/state/${path.basename(ctx.knownHosts)}`)
        .replace(`${PLAYBOOKS_DIR}/`, "/playbooks/")
        .replace(`${ctx.checkout}/`, "/kubespray/"));
    return [containerRuntime(), ["run", "--rm", "--network", "host", ...mounts, "-w", "/kubespray", ctx.image, name, ...inner]];
}

function commonArgs(ctx: AnsibleContext): string[] {
    return [
        "-i", path.join(ctx.inventoryDir, INVENTORY_FILE),
        "--become",
        "-e", `ansible_ssh_private_key_file=${ctx.keyFile}`,
        "-e", `kubespray_known_hosts=${ctx.knownHosts}`,
    ];
}

export async function playbook(ctx: AnsibleContext, title: string, name: string, limit: readonly string[] | undefined, extraVars: Record<string, unknown>): Promise<void> {
    const varsFile = path.join(ctx.inventoryDir, "run-vars.json");
    fs.writeFileSync(varsFile, JSON.stringify(extraVars));
    const book = path.isAbsolute(name) ? name : path.join(ctx.checkout, name);
    const args = [...commonArgs(ctx), "-e", `@${varsFile}`, ...(limit?.length ? ["--limit", limit.join(",")] : []), book];
    const [command, argv] = tool(ctx, "ansible-playbook", args);
    await run(title, command, argv, { cwd: ctx.runner === "venv" ? ctx.checkout : undefined });
}

interface AdHocResult {
    readonly ok: Record<string, string>;
    readonly failed: Record<string, string>;
}

/** An ad-hoc module run with JSON output, so results are read per host rather than scraped. */
export async function adHoc(ctx: AnsibleContext, title: string, pattern: string, module: string, moduleArgs: string): Promise<AdHocResult> {
    const args = [...commonArgs(ctx), pattern, "-m", module, "-a", moduleArgs];
    const [command, argv] = tool(ctx, "ansible", args);
    const env = { ...process.env, ANSIBLE_LOAD_CALLBACK_PLUGINS: "true", ANSIBLE_STDOUT_CALLBACK: "json" };
    let output = "";
    let failure: StepError | undefined;
    try {
        output = await run(title, command, argv, { env, capture: true, cwd: ctx.runner === "venv" ? ctx.checkout : undefined });
    } catch (error) {
        failure = error instanceof StepError ? error : new StepError(title, String(error));
        output = failure.captured;
    }
    const result = parseAdHoc(output);
    if (failure && Object.keys(result.failed).length === 0) {
        throw failure;
    }
    return result;
}

export function parseAdHoc(output: string): AdHocResult {
    const ok: Record<string, string> = {};
    const failed: Record<string, string> = {};
    const start = output.indexOf("{");
    if (start < 0) {
        return { ok, failed };
    }
    const report = JSON.parse(output.slice(start)) as { plays?: { tasks?: { hosts?: Record<string, { failed?: boolean; unreachable?: boolean; msg?: string; stdout?: string; stderr?: string }> }[] }[] };
    for (const play of report.plays ?? []) {
        for (const task of play.tasks ?? []) {
            for (const [host, result] of Object.entries(task.hosts ?? {})) {
                if (result.failed || result.unreachable) {
                    failed[host] = (result.msg ?? result.stderr ?? "failed").split("\n")[0];
                } else {
                    ok[host] = result.stdout ?? "";
                }
            }
        }
    }
    return { ok, failed };
}

/**
 * A copy of the inventory for one run, with hosts that are leaving the spec added back (at the end
 * of their groups: Kubespray cannot remove the first control-plane host).
 */
export function inventoryWith(baseDir: string, targetDir: string, extraHosts: readonly { name: string; address: string; role: "control-plane" | "worker" }[], moveLast: readonly string[] = []): void {
    fs.cpSync(baseDir, targetDir, { recursive: true });
    const file = path.join(targetDir, INVENTORY_FILE);
    const document = parse(fs.readFileSync(file, "utf8")) as { all: { hosts: Record<string, unknown>; children: Record<string, { hosts?: Record<string, unknown> }> } };
    for (const host of extraHosts) {
        document.all.hosts[host.name] = { ansible_host: host.address, ip: host.address, access_ip: host.address };
        const groups = host.role === "control-plane" ? ["kube_control_plane", "etcd"] : ["kube_node"];
        for (const group of groups) {
            document.all.children[group].hosts = { ...(document.all.children[group].hosts ?? {}), [host.name]: {} };
        }
    }
    for (const group of ["kube_control_plane", "etcd"]) {
        const hosts = Object.keys(document.all.children[group].hosts ?? {});
        const ordered = [...hosts.filter((h) => !moveLast.includes(h)), ...hosts.filter((h) => moveLast.includes(h))];
        document.all.children[group].hosts = Object.fromEntries(ordered.map((h) => [h, {}]));
    }
    fs.writeFileSync(file, stringify(document, { lineWidth: 0 }));
}

/** Control-plane host names from an inventory directory, in order. */
export function controlPlaneHosts(inventoryDir: string): string[] {
    const document = parse(fs.readFileSync(path.join(inventoryDir, INVENTORY_FILE), "utf8")) as { all: { children: Record<string, { hosts?: Record<string, unknown> }> } };
    return Object.keys(document.all.children.kube_control_plane?.hosts ?? {});
}
