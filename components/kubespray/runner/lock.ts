/**
 * One Kubespray run per cluster at a time, whatever Pulumi runs in parallel: gates and readies of one
 * batch, the cluster and workers commands, another `pulumi up` of the same stack on this machine. They
 * share the cluster's fact cache and inventory, and Kubespray's playbooks assume they are alone.
 *
 * The lock is a file created with O_EXCL in the cluster's work directory, holding the holder's pid and
 * command. A waiter says once whom it waits for (and again every few minutes). The holder removes it on
 * every exit path: normal return, thrown error, SIGINT/SIGTERM/SIGHUP (Pulumi cancelling) and process
 * exit. A holder killed with SIGKILL leaves the file behind; a waiter sees its pid is gone and takes over.
 */
import * as fs from "fs";
import { stderr } from "./exec";

export interface LockHolder {
    readonly pid: number;
    readonly command: string;
    readonly since: string;
}

export interface LockOptions {
    /** How often to look again, in milliseconds. */
    readonly pollMs?: number;
    /** Give up after this long, in milliseconds. @default no limit */
    readonly timeoutMs?: number;
    /** Repeat the waiting message this often, in milliseconds. */
    readonly remindMs?: number;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

function readHolder(file: string): LockHolder | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
    } catch {
        return undefined;
    }
}

const held = new Set<string>();
let handlersInstalled = false;

function releaseAll(): void {
    for (const file of held) {
        const holder = readHolder(file);
        if (holder?.pid === process.pid) fs.rmSync(file, { force: true });
    }
    held.clear();
}

function installHandlers(): void {
    if (handlersInstalled) return;
    handlersInstalled = true;
    process.on("exit", releaseAll);
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
        process.on(signal, () => {
            releaseAll();
            process.stderr.write(`[kubespray] stopped by ${signal}; the cluster lock was released\n`);
            process.exit(code);
        });
    }
}

/** Tries once: true when this process now holds the lock. */
export function tryLock(file: string, command: string): boolean {
    installHandlers();
    try {
        const fd = fs.openSync(file, "wx", 0o600);
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() } satisfies LockHolder));
        fs.closeSync(fd);
        held.add(file);
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = readHolder(file);
        // A holder that died without cleaning up (SIGKILL, power loss): take the lock over.
        if (holder && !alive(holder.pid)) {
            fs.rmSync(file, { force: true });
            return tryLock(file, command);
        }
        return false;
    }
}

export function unlock(file: string): void {
    if (held.delete(file) && readHolder(file)?.pid === process.pid) {
        fs.rmSync(file, { force: true });
    }
}

/** Waits until the lock is free, takes it, runs `work`, and always releases it. */
export async function withLock<T>(file: string, command: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const pollMs = options.pollMs ?? 2000;
    const remindMs = options.remindMs ?? 300_000;
    const started = Date.now();
    let lastMessage = 0;
    while (!tryLock(file, command)) {
        const now = Date.now();
        if (now - lastMessage >= remindMs || lastMessage === 0) {
            const holder = readHolder(file);
            stderr.progress(`[kubespray: ${command}] waiting: ${holder ? `${holder.command} (pid ${holder.pid}, since ${holder.since})` : "another run"} is running Kubespray on this cluster; one run at a time (${file})`);
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
        unlock(file);
    }
}
