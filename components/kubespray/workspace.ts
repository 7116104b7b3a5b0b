/**
 * The local Kubespray workspace:
 *
 * - `<home>/kubespray-<version>/`: one checkout and virtualenv per Kubespray release, shared by the
 *   stacks that pin that release (never a shared "current" link: every operation finds its stack's
 *   release and runner type in the stack's own settings file);
 * - `<home>/<stack>/inventory/`: the inventory, group_vars and `runner.json` (the stack's settings),
 *   which the program rewrites on every `pulumi up`, so a fresh machine (a Deployments runner, a
 *   colleague's laptop) always has what its commands need. Never in a preview: a `pulumi preview` of
 *   another branch, on the same machine during a long `pulumi up`, would otherwise swap the inventory,
 *   windows, break-glass token, recoveries and resets under the running commands. And only under the
 *   cluster's lock, so that no runner sees them change during its run (`writeStackWorkspace`);
 * - `<home>/<stack>/`: what the runner keeps per cluster: `known_hosts`, the fact cache, logs/, the
 *   lock that lets one Kubespray run at a time touch the cluster, boot IDs recorded by gates, and each
 *   run's private files (`secrets/<pid>/`, `snapshots/<pid>/`, `runs/<pid>/`: runner/secrets.ts).
 *
 * CLUSTERS_KUBESPRAY_HOME moves the home (the offline harness uses a temporary one); it is read at run
 * time and never becomes a resource input, so inputs stay the same on every machine.
 */
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../../spec";
import { withLock, type LockOptions } from "./runner/lock";

/** The cluster's lock file in its work directory (runner/lock.ts). */
export const LOCK_FILE = "kubespray.lock";

export function kubesprayHome(configured: string): string {
    return process.env.CLUSTERS_KUBESPRAY_HOME ?? configured;
}

export function stackDir(home: string, stack: string): string {
    return path.join(home, stack);
}

export function inventoryDir(configuredHome: string, stack: string): string {
    return path.join(kubesprayHome(configuredHome), stack, "inventory");
}

/** Replaces the stack's inventory directory with exactly these files (written beside, then swapped). */
export function writeInventory(dir: string, files: Readonly<Record<string, string>>): void {
    const staging = `${dir}.new-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    for (const [file, content] of Object.entries(files)) {
        const target = path.join(staging, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.renameSync(staging, dir);
}

/**
 * Writes the stack's inventory directory for `pulumi up`, holding the cluster's lock: it waits for a
 * running Kubespray run of this cluster (saying so through `report`), so that run's inventory and
 * settings never change under it. The caller must not call it in a preview.
 */
export async function writeStackWorkspace(configuredHome: string, stack: string, files: Readonly<Record<string, string>>, options: Pick<LockOptions, "report" | "pollMs"> = {}): Promise<void> {
    const dir = stackDir(kubesprayHome(configuredHome), stack);
    fs.mkdirSync(dir, { recursive: true });
    await withLock(path.join(dir, LOCK_FILE), "pulumi up (writes the inventory)", async () => {
        writeInventory(path.join(dir, "inventory"), files);
    }, options);
}

/** Beside the inventory: the stack's settings (see StackSettings). */
export const RUNNER_SETTINGS_FILE = "runner.json";

/**
 * What every operation of a stack reads from the workspace rather than from its environment: the
 * Kubespray release and runner type the stack pins, and settings that change how an operation runs but
 * not whether it runs. Written by the program from the stack file on every run; never from the
 * environment of `pulumi up` (a window cannot be opened by exporting a variable).
 */
export interface StackSettings {
    readonly version: string;
    readonly runner: "venv" | "container";
    readonly image: string;
    readonly repository: string;
    readonly provider: ClusterSpec["infrastructure"]["provider"];
    readonly maintenanceWindows: ClusterSpec["operations"]["maintenanceWindows"];
    /** `operations.breakGlass`: the token of the one change allowed outside a window. */
    readonly breakGlass?: string;
    readonly drain: ClusterSpec["operations"]["drain"];
    /** The jump host, which also gets the cluster's SSH keys. */
    readonly bastion?: { readonly host: string; readonly user: string };
    /**
     * Control-plane nodes under recovery (operations.recoverControlPlane.broken): their gates and readies
     * leave them to the cluster command's recover-control-plane.yml run. Here, not in the machine states,
     * so adding or removing the request re-runs no gate or ready.
     */
    readonly recovering?: readonly string[];
    /** Existing hosts Kubespray resets when they leave (operations.decommission.resetHosts); every other one is left as it is. */
    readonly resetHosts?: readonly string[];
    /**
     * Existing workers whose gates wait for the same step of the rollout (components/kubespray/index.ts,
     * `workerBatches`): Pulumi runs their gates, then their readies, together, and the runner runs each
     * as one Kubespray run (runner/batch.ts). Absent when no batch holds two workers.
     */
    readonly workerBatches?: readonly (readonly string[])[];
    /**
     * Per batch of `workerBatches` (same order; empty for a batch without one), its workers whose machine
     * this `pulumi up` recreates (the deployed record's identity differs: protection.ts `replacedNow`) and
     * the identity each gets. The ready that holds the lock waits for their readies (runner/batch.ts
     * `gatherBatch`), which Pulumi starts as each machine is recreated, so the batch rejoins in one run.
     * Absent when no batch has one.
     */
    readonly workerBatchReplacements?: readonly (readonly { readonly node: string; readonly replaceHash: string }[])[];
}

export function stackSettings(spec: ClusterSpec, repository: string, bastionHost: string | undefined): StackSettings {
    const { kubespray, operations } = spec;
    return {
        version: kubespray.version,
        runner: kubespray.runner.type,
        image: kubespray.runner.image,
        repository,
        provider: spec.infrastructure.provider,
        maintenanceWindows: operations.maintenanceWindows,
        ...(operations.breakGlass ? { breakGlass: operations.breakGlass } : {}),
        drain: operations.drain,
        ...(bastionHost ? { bastion: { host: bastionHost, user: spec.infrastructure.ssh.user } } : {}),
        ...(operations.recoverControlPlane ? { recovering: [...operations.recoverControlPlane.broken].sort() } : {}),
        ...(operations.decommission.resetHosts.length ? { resetHosts: [...operations.decommission.resetHosts].sort() } : {}),
    };
}

export function readSettings(inventory: string): StackSettings | undefined {
    const file = path.join(inventory, RUNNER_SETTINGS_FILE);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as StackSettings : undefined;
}
