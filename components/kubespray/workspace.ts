/**
 * The local Kubespray workspace: `<home>/kubespray-<version>` checkouts shared by stacks, and
 * `<home>/<stack>/inventory/` which the program rewrites on every run, so a fresh machine (a
 * Deployments runner, a colleague's laptop) always has the inventory its commands need.
 * CLUSTERS_KUBESPRAY_HOME moves the home (the offline harness uses a temporary one); it is read at
 * run time and never becomes a resource input, so inputs stay the same on every machine.
 */
import * as fs from "fs";
import * as path from "path";

export function kubesprayHome(configured: string): string {
    return process.env.CLUSTERS_KUBESPRAY_HOME ?? configured;
}

export function inventoryDir(configuredHome: string, stack: string): string {
    return path.join(kubesprayHome(configuredHome), stack, "inventory");
}

/** Replaces the stack's inventory directory with exactly these files. */
export function writeInventory(dir: string, files: Readonly<Record<string, string>>): void {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [file, content] of Object.entries(files)) {
        const target = path.join(dir, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
    }
}

/** Beside the inventory: the Kubespray release and runner, so any operation can prepare a fresh machine. */
export const RUNNER_SETTINGS_FILE = "runner.json";
