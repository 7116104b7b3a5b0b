/**
 * Worker batches as one Kubespray run. Pulumi starts the gates (and later the readies) of one worker batch
 * at once, each its own runner process, and the cluster lock lets them in one at a time (lock.ts). Run
 * one by one, a batch of 200 replaced workers would be 200 drains and 200 remove-node.yml runs, then 200
 * facts.yml runs over every host and 200 scale.yml runs. Instead:
 *
 * 1. A worker's gate or ready that has work to do registers itself, before it waits for the lock, as
 *    `<stack>/pending/<op>/<node>.json` (its command, desired and previous state, pid and the pid's start
 *    time), written beside and renamed, so a reader never sees half a file.
 * 2. The process that gets the lock takes every pending entry of the same operation whose process still
 *    runs and whose node is in its own worker batch (StackSettings.workerBatches, written by the program
 *    from the rollout order), plans them together (planGate/planReady: one drain each, one remove-node.yml
 *    with `node=a,b,c`; one facts.yml and one scale.yml limited to a,b,c), runs that, and on success writes
 *    `<stack>/done/<op>/<node>.json` for every other member, naming the states it was done for.
 * 3. Every process holding the lock looks for its own result first: one made for exactly its previous and
 *    desired state means its work is done, so it prints its new state and runs nothing.
 *
 * A failed run writes no result: each member then plans and runs (and fails, or succeeds) on its own turn,
 * and the next `pulumi up` resumes as today. A result left by a member that was stopped before it read it
 * is removed when that node's command registers again, so an old result never stands in for new work.
 * Control-plane nodes are never coalesced: they change one at a time.
 */
import * as fs from "fs";
import * as path from "path";
import type { MachineState } from "../state";
import { processAlive } from "./shutdown";

export type BatchOperation = "gate" | "ready";

/** What a waiting gate or ready leaves for the run that gets the lock first. */
export interface PendingEntry {
    readonly command: string;
    readonly node: string;
    /** KUBESPRAY_DESIRED as the process read it. */
    readonly desired: string;
    /** PULUMI_COMMAND_STDOUT as the process read it (its previous state). */
    readonly previous: string;
    readonly pid: number;
    /** The pid's start time (/proc/<pid>/stat), so a pid reused by another process does not count. */
    readonly started?: string;
}

/** A result: the states a coalesced run did the work for, and who ran it. */
interface DoneEntry {
    readonly desired: string;
    readonly previous: string;
    readonly by: string;
    readonly log?: string;
}

const NODE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function entryFile(stackDir: string, kind: "pending" | "done", op: BatchOperation, node: string): string {
    if (!NODE.test(node)) throw new Error(`${JSON.stringify(node)} is not a node name`);
    return path.join(stackDir, kind, op, `${node}.json`);
}

/** Written beside and renamed: a reader sees the whole file or none. */
function writeAtomically(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const staging = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
    try {
        fs.writeFileSync(staging, text, { mode: 0o600 });
        fs.renameSync(staging, file);
    } finally {
        fs.rmSync(staging, { force: true });
    }
}

function readJson<T>(file: string): T | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as T;
    } catch {
        return undefined;
    }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
    try {
        const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return text.slice(text.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
        return undefined;
    }
}

/** The process that wrote an entry still runs (and is the same process, where /proc tells). */
function entryAlive(entry: PendingEntry): boolean {
    if (!processAlive(entry.pid)) return false;
    const started = processStartTime(entry.pid);
    return entry.started === undefined || started === undefined || started === entry.started;
}

/** Whether a machine change may be run together with others: workers only. */
export function coalescible(desired: unknown): desired is MachineState {
    const state = desired as Partial<MachineState> | undefined;
    return state?.kind === "machine" && state.node?.role === "worker" && typeof state.node.name === "string" && NODE.test(state.node.name);
}

/**
 * Registers this process as waiting to run `op` for `node` and removes a result an earlier, stopped
 * process of the same node left. Returns the unregistration (idempotent).
 */
export function registerPending(stackDir: string, op: BatchOperation, entry: Omit<PendingEntry, "pid" | "started">): () => void {
    fs.rmSync(entryFile(stackDir, "done", op, entry.node), { force: true });
    const file = entryFile(stackDir, "pending", op, entry.node);
    writeAtomically(file, JSON.stringify({ ...entry, pid: process.pid, started: processStartTime(process.pid) } satisfies PendingEntry));
    let done = false;
    return () => {
        if (done) return;
        done = true;
        if (readJson<PendingEntry>(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    };
}

/**
 * This process's result, when a coalesced run did exactly its work (the same previous and desired
 * state): consumed (removed) and true. A result for other states is removed and ignored.
 */
export function takeResult(stackDir: string, op: BatchOperation, node: string, desired: string, previous: string): DoneEntry | undefined {
    const file = entryFile(stackDir, "done", op, node);
    const done = readJson<DoneEntry>(file);
    if (!fs.existsSync(file)) return undefined;
    fs.rmSync(file, { force: true });
    return done && done.desired === desired && done.previous === previous ? done : undefined;
}

/** The batch of `node` as the program wrote it (StackSettings.workerBatches); undefined when it has none. */
export function batchOf(batches: readonly (readonly string[])[] | undefined, node: string): ReadonlySet<string> | undefined {
    const batch = batches?.find((b) => b.includes(node));
    return batch ? new Set(batch) : undefined;
}

/**
 * Pending entries of `op` to run with this process's: their process runs, their node is in `batch` and
 * among `workers` (the inventory's), their state is a worker's machine for that node, and no result was
 * written for them yet.
 */
export function collectPending(stackDir: string, op: BatchOperation, self: string, batch: ReadonlySet<string>, workers: readonly string[]): PendingEntry[] {
    const dir = path.join(stackDir, "pending", op);
    if (!fs.existsSync(dir)) return [];
    const inventory = new Set(workers);
    const members: PendingEntry[] = [];
    for (const name of fs.readdirSync(dir).sort()) {
        if (!name.endsWith(".json") || name.startsWith(".")) continue;
        const node = name.slice(0, -".json".length);
        if (node === self || !NODE.test(node) || !batch.has(node) || !inventory.has(node)) continue;
        if (fs.existsSync(entryFile(stackDir, "done", op, node))) continue;
        const entry = readJson<PendingEntry>(path.join(dir, name));
        if (!entry || entry.node !== node || typeof entry.desired !== "string" || typeof entry.previous !== "string" || !entryAlive(entry)) continue;
        try {
            const desired: unknown = JSON.parse(entry.desired);
            const previous: unknown = JSON.parse(entry.previous);
            if (!coalescible(desired) || desired.node.name !== node || !coalescible(previous) || previous.node.name !== node) continue;
        } catch {
            continue;
        }
        members.push(entry);
    }
    return members;
}

/** After a successful coalesced run: a result for each member, and its pending entry taken away. */
export function writeResults(stackDir: string, op: BatchOperation, members: readonly PendingEntry[], by: string, log?: string): void {
    for (const member of members) {
        writeAtomically(entryFile(stackDir, "done", op, member.node), JSON.stringify({ desired: member.desired, previous: member.previous, by, log } satisfies DoneEntry));
        const pending = entryFile(stackDir, "pending", op, member.node);
        if (readJson<PendingEntry>(pending)?.pid === member.pid) fs.rmSync(pending, { force: true });
    }
}

/** A worker whose machine this `pulumi up` recreates (StackSettings.workerBatchReplacements). */
export interface ExpectedMember {
    readonly node: string;
    /** Its desired MachineState.replaceHash: a ready that rejoined it at this identity has finished it. */
    readonly replaceHash: string;
}

function rejoinedFile(stackDir: string, node: string): string {
    if (!NODE.test(node)) throw new Error(`${JSON.stringify(node)} is not a node name`);
    return path.join(stackDir, "rejoined", `${node}.json`);
}

/**
 * After a successful ready (alone or for its batch): each node's machine identity it rejoined, so a later
 * ready of the same batch does not wait for a member that has finished (its result file is consumed).
 */
export function recordRejoined(stackDir: string, members: readonly MachineState[]): void {
    for (const member of members) writeAtomically(rejoinedFile(stackDir, member.node.name), JSON.stringify({ replaceHash: member.replaceHash }));
}

/** Expected members of the batch whose ready has neither registered (its process running) nor finished. */
export function missingMembers(stackDir: string, self: string, expected: readonly ExpectedMember[]): string[] {
    return expected.filter(({ node, replaceHash }) => {
        if (node === self || !NODE.test(node)) return false;
        const pending = readJson<PendingEntry>(entryFile(stackDir, "pending", "ready", node));
        if (pending && pending.node === node && entryAlive(pending)) return false;
        if (fs.existsSync(entryFile(stackDir, "done", "ready", node))) return false;
        return readJson<{ replaceHash?: string }>(rejoinedFile(stackDir, node))?.replaceHash !== replaceHash;
    }).map(({ node }) => node).sort();
}

/**
 * Pulumi starts a batch's readies as each machine is recreated, minutes apart. The ready holding the lock
 * waits (holding it: nothing else of the cluster should run between) until every member this `pulumi up`
 * recreates has registered or finished, or `boundMs` has passed, so the batch rejoins in one facts.yml
 * and one scale.yml run. Returns who was still missing when it stopped waiting.
 */
export async function gatherBatch(stackDir: string, self: string, expected: readonly ExpectedMember[], boundMs: number, pollMs: number, report: (missing: readonly string[]) => void): Promise<string[]> {
    let missing = missingMembers(stackDir, self, expected);
    if (!missing.length) return missing;
    report(missing);
    const deadline = Date.now() + boundMs;
    while (missing.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
        missing = missingMembers(stackDir, self, expected);
    }
    return missing;
}
