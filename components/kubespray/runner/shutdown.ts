/**
 * How the runner stops when Pulumi cancels it, and what it leaves behind when it cannot.
 *
 * Every tool the runner starts (ansible, ansible-playbook, git, pip, docker, ssh-keygen) starts detached,
 * leading a process group of its own: ansible-playbook's forked workers and their ssh stay in that
 * group, so one signal to the group reaches the whole tree, and a signal sent to the runner's own group
 * does not hit them behind its back.
 *
 * On SIGINT, SIGTERM or SIGHUP the runner starts nothing more, forwards the signal to each group,
 * waits for them to end (KUBESPRAY_STOP_GRACE_SECONDS, default 20 s, then SIGKILL), removes what
 * must not outlive it (SSH keys, an etcd snapshot, the provider's token file: `onCleanup`), releases
 * its locks (`onRelease`) and exits 128 + the signal's number, naming the step it stopped. A lock is
 * released only once no group of the runner is left, so another run never starts beside a tool that
 * still touches the cluster.
 *
 * SIGKILL (how a Go `exec.CommandContext`, hence `@pulumi/command`, may cancel) cannot be handled: the
 * groups are written into the lock file (lock.ts), so a waiter takes a dead runner's lock over only once
 * those groups are gone too, and the next run removes the dead runner's secret files (main.ts).
 */
import * as fs from "fs";

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNALS;

/** Process groups of the tools running now (each group's id is its leader's pid), with their step. */
const groups = new Map<number, string>();
const groupListeners = new Set<() => void>();
/** What must not outlive the runner, in the order it was made (undone last first). */
const cleanups = new Set<() => void>();
const releases = new Set<() => void>();
let stopping: StopSignal | undefined;
let currentStep: string | undefined;

/** The step the runner is in (named when it is stopped). */
export function setStep(step: string): void {
    currentStep = step;
}

/** The signal the runner is stopping on, if it is. */
export function stopSignal(): StopSignal | undefined {
    return stopping;
}

/** Records a tool's process group while it runs; returns the function that forgets it. */
export function trackGroup(pgid: number, step: string): () => void {
    groups.set(pgid, step);
    groupListeners.forEach((listener) => listener());
    return () => {
        if (groups.delete(pgid)) groupListeners.forEach((listener) => listener());
    };
}

/** The groups running now. */
export function trackedGroups(): number[] {
    return [...groups.keys()];
}

/** Called whenever a group starts or ends (lock.ts keeps the lock file's record current). */
export function onGroupsChanged(listener: () => void): void {
    groupListeners.add(listener);
}

let exitHandler = false;

function once(set: Set<() => void>, work: () => void): () => void {
    if (!exitHandler) {
        exitHandler = true;
        // Normal end, process.exit, an uncaught error: clean-ups and releases run on each.
        process.on("exit", () => cleanUpAndRelease());
    }
    const entry = () => {
        if (!set.delete(entry)) return;
        try {
            work();
        } catch {
            // best effort: an exit path must not fail on a clean-up
        }
    };
    set.add(entry);
    return entry;
}

/** Registers a clean-up (secret files) run on every exit path; returns the function that runs it now, once. */
export function onCleanup(work: () => void): () => void {
    return once(cleanups, work);
}

/** Registers a lock release, run after the clean-ups and only once no tool of the runner is left. */
export function onRelease(work: () => void): () => void {
    return once(releases, work);
}

function runAll(set: Set<() => void>): void {
    for (const entry of [...set].reverse()) entry();
}

/** Clean-ups, then (when no group is left) releases: what every exit path does. */
export function cleanUpAndRelease(left: readonly number[] = trackedGroups()): { released: boolean } {
    runAll(cleanups);
    if (left.some(groupAlive)) {
        // A tool still runs: the lock stays, naming its group, so no other run starts beside it.
        releases.clear();
        return { released: false };
    }
    runAll(releases);
    return { released: true };
}

/** Process state and group of a pid from /proc (Linux), or undefined where there is no /proc. */
function procStat(pid: number | "self"): { state: string; pgrp: number } | undefined | null {
    try {
        const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last ")".
        const [state, , pgrp] = text.slice(text.lastIndexOf(")") + 2).split(" ");
        return { state, pgrp: Number(pgrp) };
    } catch {
        return null;
    }
}

const HAS_PROC = procStat("self") !== null;

/** A process that runs (a zombie, dead and not yet reaped, does not). */
export function processAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    if (HAS_PROC) {
        const stat = procStat(pid);
        return !!stat && stat.state !== "Z";
    }
    return signalReaches(pid);
}

/**
 * A process group with a member that still runs. Zombies do not count: a killed tool reparented to an
 * init that does not reap would otherwise hold the cluster forever.
 */
export function groupAlive(pgid: number): boolean {
    if (!Number.isInteger(pgid) || pgid <= 1) return false;
    if (!HAS_PROC) return signalReaches(-pgid);
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = procStat(Number(entry));
        if (stat && stat.pgrp === pgid && stat.state !== "Z") return true;
    }
    return false;
}

function signalReaches(target: number): boolean {
    try {
        process.kill(target, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pgid, signal);
    } catch {
        // gone already
    }
}

/** Resolves once none of `pgids` runs, or false after `timeoutMs`. */
export async function waitGone(pgids: readonly number[], timeoutMs: number, pollMs = 50): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (!pgids.some(groupAlive)) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
}

export interface Stopped {
    readonly signal: StopSignal;
    /** The step the runner was in. */
    readonly step?: string;
    /** Groups that were running, each with the step that started it. */
    readonly groups: readonly { readonly pgid: number; readonly step: string }[];
    /** Groups that did not end on the signal within the grace period and were killed. */
    readonly killed: readonly number[];
    /** Groups still there even after SIGKILL (the lock is then kept, naming them). */
    readonly left: readonly number[];
    readonly released: boolean;
}

/** Forwards `signal` to every group, waits `graceMs`, then SIGKILLs what is left and waits a little more. */
export async function stopGroups(signal: NodeJS.Signals, graceMs: number): Promise<{ killed: number[]; left: number[] }> {
    const pgids = trackedGroups();
    pgids.forEach((pgid) => signalGroup(pgid, signal));
    if (await waitGone(pgids, graceMs)) return { killed: [], left: [] };
    const killed = pgids.filter(groupAlive);
    killed.forEach((pgid) => signalGroup(pgid, "SIGKILL"));
    await waitGone(killed, 5000);
    return { killed, left: killed.filter(groupAlive) };
}

function graceMs(): number {
    const seconds = Number(process.env.KUBESPRAY_STOP_GRACE_SECONDS ?? 20);
    return (Number.isFinite(seconds) && seconds >= 0 ? seconds : 20) * 1000;
}

let installed = false;

/**
 * Installs the runner's handlers for SIGINT, SIGTERM and SIGHUP (see the top of this file). `report` says what happened, once, before the runner exits. A second signal
 * while stopping skips the rest of the grace period.
 */
export function handleSignals(report: (stopped: Stopped) => void): void {
    if (installed) return;
    installed = true;
    for (const signal of Object.keys(SIGNALS) as StopSignal[]) {
        process.on(signal, () => {
            if (stopping) {
                trackedGroups().forEach((pgid) => signalGroup(pgid, "SIGKILL"));
                return;
            }
            stopping = signal;
            const step = currentStep;
            const running = [...groups].map(([pgid, of]) => ({ pgid, step: of }));
            void stopGroups(signal, graceMs()).then(({ killed, left }) => {
                const { released } = cleanUpAndRelease(left);
                report({ signal, step, groups: running, killed, left, released });
                process.exit(128 + SIGNALS[signal]);
            });
        });
    }
}

/** The end of `main`: its exit code, unless a signal is stopping the runner (which then exits itself). */
export function finish(code: number): void {
    if (stopping) return;
    process.exit(code);
}
