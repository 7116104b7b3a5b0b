/**
 * One Kubespray run per cluster at a time, whatever Pulumi runs in parallel: gates and readies of one
 * batch, the cluster and workers commands, another `pulumi up` of the same stack on this machine, and the
 * program itself while it rewrites the stack's inventory (components/kubespray/index.ts). They share the
 * cluster's fact cache and inventory, and Kubespray's playbooks assume they are alone.
 *
 * The lock is a file created with O_EXCL in the cluster's work directory, holding the holder's pid and
 * command and the process groups of the tools it runs now (kept current as they start and end). A
 * waiter says once whom it waits for (and again every few minutes). The holder removes it on every exit
 * path: normal return, thrown error, SIGINT/SIGTERM/SIGHUP (Pulumi cancelling: after its tools have
 * ended, shutdown.ts) and process exit. A holder killed with SIGKILL leaves the file behind, and may
 * leave an ansible-playbook running (reparented to init): a waiter takes the lock over only once the
 * holder's pid *and* every group it recorded are gone.
 */
import * as fs from "fs";
import * as path from "path";
import { stderr } from "./exec";
import { groupAlive, onGroupsChanged, onRelease, processAlive, stopSignal, trackedGroups } from "./shutdown";

export interface LockHolder {
    readonly pid: number;
    readonly command: string;
    readonly since: string;
    /** Process groups of the tools the holder runs now (each may outlive a holder killed with SIGKILL). */
    readonly groups?: readonly number[];
}

export interface LockOptions {
    /** How often to look again, in milliseconds. */
    readonly pollMs?: number;
    /** Give up after this long, in milliseconds. @default no limit */
    readonly timeoutMs?: number;
    /** Repeat the waiting message this often, in milliseconds. */
    readonly remindMs?: number;
    /** Where the waiting message goes. @default the runner's bounded stderr */
    readonly report?: (message: string) => void;
}

function readHolder(file: string): LockHolder | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
    } catch {
        return undefined;
    }
}

/** The recorded groups of a holder that still run. */
function runningGroups(holder: LockHolder): number[] {
    return (holder.groups ?? []).filter((pgid) => Number.isInteger(pgid) && groupAlive(pgid));
}

/** A holder that can no longer touch the cluster: its process and every group it recorded are gone. */
export function holderGone(holder: LockHolder): boolean {
    return !processAlive(holder.pid) && runningGroups(holder).length === 0;
}

/** Lock files this process holds, each with the release registered on every exit path (shutdown.ts). */
const held = new Map<string, () => void>();

function record(command: string, since: string): string {
    return JSON.stringify({ pid: process.pid, command, since, groups: trackedGroups() } satisfies LockHolder);
}

/** Rewrites the held lock files with the groups running now (written beside and renamed: never half a file). */
function recordGroups(): void {
    for (const file of held.keys()) {
        const holder = readHolder(file);
        if (holder?.pid !== process.pid) continue;
        const staging = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
        try {
            fs.writeFileSync(staging, record(holder.command, holder.since), { mode: 0o600 });
            fs.renameSync(staging, file);
        } catch {
            fs.rmSync(staging, { force: true });
        }
    }
}

onGroupsChanged(recordGroups);

/** Tries once: true when this process now holds the lock. */
export function tryLock(file: string, command: string): boolean {
    try {
        const fd = fs.openSync(file, "wx", 0o600);
        fs.writeSync(fd, record(command, new Date().toISOString()));
        fs.closeSync(fd);
        held.set(file, onRelease(() => {
            held.delete(file);
            if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        }));
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = readHolder(file);
        // A holder that died without cleaning up (SIGKILL, power loss) and left no tool running: take over.
        if (holder && holderGone(holder)) {
            fs.rmSync(file, { force: true });
            return tryLock(file, command);
        }
        return false;
    }
}

export function unlock(file: string): void {
    held.get(file)?.();
}

function describeHolder(holder: LockHolder | undefined): string {
    if (!holder) return "another run is running Kubespray on this cluster";
    const who = `${holder.command} (pid ${holder.pid}, since ${holder.since})`;
    const running = runningGroups(holder);
    if (!processAlive(holder.pid) && running.length) {
        const groups = running.join(", ");
        return `${who} is gone, but the tools it started still run (process group ${groups}: an ansible-playbook left behind when it was killed); `
            + `waiting for them to end. To stop them now: kill -TERM -${running.join(" -")}`;
    }
    return `${who} is running Kubespray on this cluster`;
}

/** Waits until the lock is free, takes it, runs `work`, and always releases it. */
export async function withLock<T>(file: string, command: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const pollMs = options.pollMs ?? 2000;
    const remindMs = options.remindMs ?? 300_000;
    const report = options.report ?? ((message: string) => stderr.progress(`[kubespray: ${command}] ${message}`));
    const started = Date.now();
    let lastMessage = 0;
    while (!tryLock(file, command)) {
        const now = Date.now();
        if (now - lastMessage >= remindMs || lastMessage === 0) {
            report(`waiting: ${describeHolder(readHolder(file))}; one run at a time (${file})`);
            lastMessage = now;
        }
        if (options.timeoutMs !== undefined && now - started > options.timeoutMs) {
            throw new Error(`timed out waiting for the cluster lock ${file}`);
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    try {
        return await work();
    } finally {
        // While a signal stops the runner, its handler releases the lock once the tools have ended.
        if (!stopSignal()) unlock(file);
    }
}
