/**
 * Start-up of one Kubespray runner command that has nothing to do, compiled against the old ts-node
 * start. Every gate and ready command Pulumi starts on Day 1 is exactly this (no previous state: the
 * plan is empty), so its start-up is the whole cost per node.
 *
 * - `no operation`: the runner with no argument loads every module, prints its usage and exits 2.
 * - `Day-1 gate`: a real `gate` run in a scratch workspace (inventory present, no previous state),
 *   which plans nothing and prints its desired state, as on a fresh cluster.
 *
 * Each is started `runs` times; the median wall time (spawn to exit) is reported.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const NODE = process.execPath;

export interface StartupRow {
    readonly command: string;
    readonly how: "compiled" | "ts-node";
    readonly medianSeconds?: number;
    readonly runs: number;
    /** Why it could not be measured (the runner's own message). */
    readonly error?: string;
}

const LAUNCH = {
    compiled: [path.join(ROOT, "dist", "components", "kubespray", "runner", "main.js")],
    "ts-node": ["--require", "ts-node/register/transpile-only", path.join(ROOT, "components", "kubespray", "runner", "main.ts")],
} as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timed(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; expect: number }): { seconds: number; error?: string } {
    const start = process.hrtime.bigint();
    const result = spawnSync(NODE, args, { cwd: ROOT, env: options.env ?? process.env, input: options.input ?? "", encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return result.status === options.expect ? { seconds } : { seconds, error: `exit ${result.status}: ${(result.stderr || result.stdout).trim().slice(0, 300)}` };
}

/** A workspace in which `gate` finds its inventory and Kubespray checkout and has no previous state. */
function day1Workspace(): { env: NodeJS.ProcessEnv; input: string; cleanup(): void } {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "clusters-startup-"));
    fs.mkdirSync(path.join(home, "bench", "inventory"), { recursive: true });
    fs.writeFileSync(path.join(home, "bench", "inventory", "hosts.yaml"), "all:\n  hosts: {}\n");
    fs.mkdirSync(path.join(home, "current"));
    const desired = { kind: "machine", node: { name: "bench-w1-1", address: "10.0.1.1", role: "worker" }, machineHash: "0", generation: 0 };
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH, HOME: process.env.HOME,
        KUBESPRAY_HOME: home, KUBESPRAY_STACK: "bench", KUBESPRAY_INVENTORY: "inventory", KUBESPRAY_PROVIDER: "openstack",
        KUBESPRAY_DESIRED: JSON.stringify(desired), KUBESPRAY_MAINTENANCE_WINDOWS: "[]", KUBESPRAY_DRAIN: "{}",
    };
    const input = "-----BEGIN OPENSSH PRIVATE KEY-----\nbench-stand-in-not-a-key\n-----END OPENSSH PRIVATE KEY-----\n";
    return { env, input, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export function measureStartup(runs: number): StartupRow[] {
    const rows: StartupRow[] = [];
    const workspace = day1Workspace();
    try {
        for (const how of ["compiled", "ts-node"] as const) {
            const cases = [
                { command: "no operation (load and print usage)", args: [...LAUNCH[how]], expect: 2, env: undefined, input: undefined },
                { command: "Day-1 gate (plans nothing)", args: [...LAUNCH[how], "gate"], expect: 0, env: workspace.env, input: workspace.input },
            ];
            for (const c of cases) {
                const samples: number[] = [];
                let error: string | undefined;
                for (let i = 0; i < runs && !error; i++) {
                    const t = timed(c.args, c);
                    error = t.error;
                    samples.push(t.seconds);
                }
                rows.push(error ? { command: c.command, how, runs, error } : { command: c.command, how, runs, medianSeconds: Math.round(median(samples) * 1000) / 1000 });
            }
        }
    } finally {
        workspace.cleanup();
    }
    return rows;
}

if (require.main === module) {
    const rows = measureStartup(Number(process.argv[2] ?? 10));
    for (const row of rows) {
        console.log(JSON.stringify(row));
    }
}
