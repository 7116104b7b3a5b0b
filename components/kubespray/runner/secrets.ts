/**
 * Where a run keeps what must never outlive it, and how the next run removes what a killed one left.
 *
 * Per cluster work directory (`<home>/<stack>/`), each run (runner pid) has:
 * - `secrets/<pid>/` (mode 0700; `secrets/` too): the SSH private keys (`id`, `previous-id`) and the
 *   provider's token file (`kubeconfig.json`), each 0600;
 * - `snapshots/<pid>/`: an etcd snapshot fetched for a recovery (every Secret of the cluster);
 * - `runs/<pid>/`: the run's copies of the inventory with their extra vars.
 *
 * Each is removed on every exit path the runner can handle (shutdown.ts). A runner killed with SIGKILL
 * cannot: the next run of the stack removes them once it holds the cluster lock. That is safe because
 * every one of these is made under that lock, and the lock passes to another run only once the dead
 * holder and every tool it started are gone (lock.ts): under the lock, any pid's files but ours are
 * leftovers.
 */
import * as fs from "fs";
import * as path from "path";
import { onCleanup } from "./shutdown";

/** The per-run directories of a cluster work directory, each holding one `<pid>/` per run. */
export const PER_RUN_DIRS = ["secrets", "snapshots", "runs"] as const;

/** A private directory of this run under `<stateDir>/<kind>/<pid>/`, removed on every exit path. */
export function runDir(stateDir: string, kind: (typeof PER_RUN_DIRS)[number]): { dir: string; cleanup: () => void } {
    const parent = path.join(stateDir, kind);
    fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
    fs.chmodSync(parent, 0o700);
    const dir = path.join(parent, `${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { mode: 0o700 });
    const cleanup = onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    return { dir, cleanup };
}

/** Writes a secret file (0600) in a run's private directory; never logged. */
export function writeSecretFile(dir: string, name: string, content: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
}

/**
 * Removes what earlier runs of this cluster left (see the top of this file). Call only while holding the
 * cluster's lock. Returns what it removed, relative to the work directory.
 */
export function sweepLeftovers(stateDir: string): string[] {
    const removed: string[] = [];
    const remove = (relative: string) => {
        fs.rmSync(path.join(stateDir, relative), { recursive: true, force: true });
        removed.push(relative);
    };
    for (const kind of PER_RUN_DIRS) {
        const parent = path.join(stateDir, kind);
        if (!fs.existsSync(parent)) continue;
        for (const entry of fs.readdirSync(parent)) {
            if (entry !== `${process.pid}`) remove(path.join(kind, entry));
        }
    }
    // Token files of runners from before `secrets/`.
    if (fs.existsSync(stateDir)) {
        for (const entry of fs.readdirSync(stateDir)) {
            if (/^kubeconfig-\d+\.json$/.test(entry)) remove(entry);
        }
    }
    return removed;
}
