/** Files `npm run plan` writes beside resources.json, taken from what the program rendered. */
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec";
import type { OfflineRun } from "../offline/harness";
import { gitopsScaffold } from "./gitops-scaffold";

/** Every file below a directory, by relative path. */
function readTree(dir: string, prefix = ""): Record<string, string> {
    const files: Record<string, string> = {};
    if (!fs.existsSync(dir)) {
        return files;
    }
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const relative = path.join(prefix, entry.name);
        if (entry.isDirectory()) {
            Object.assign(files, readTree(path.join(dir, entry.name), relative));
        } else {
            files[relative] = fs.readFileSync(path.join(dir, entry.name), "utf8");
        }
    }
    return files;
}

/** Each area contributes the files it renders; paths are relative to `out/<stack>/`. */
export function collectArtefacts(spec: ClusterSpec, run: OfflineRun, stack: string): Record<string, string> {
    const inventory = readTree(path.join(run.kubesprayHome, stack, "inventory"));
    const files: Record<string, string> = Object.fromEntries(Object.entries(inventory).map(([file, content]) => [path.join("kubespray", file), content]));
    if (spec.gitops) {
        // Offline there is no real age key (the run's recipient is fabricated): the scaffold's .sops.yaml gets
        // a placeholder SOPS refuses, and the command that writes the real one (refreshScaffold).
        for (const [file, content] of Object.entries(gitopsScaffold(spec, stack))) {
            files[path.join("gitops", file)] = content;
        }
    }
    return files;
}
