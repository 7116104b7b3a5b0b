/**
 * Where the project's own non-TypeScript files live (stacks/, playbooks, policy configs), whether the
 * code runs from the sources (ts-node: tests, benchmarks) or from the compiled `dist/` tree (the
 * program under `pulumi up`, the CLIs, the Kubespray runner).
 */
import * as fs from "fs";
import * as path from "path";

/** The directory holding Pulumi.yaml, found by walking up from this file. */
export function findProjectRoot(start: string = __dirname): string {
    let dir = start;
    for (;;) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json"))) {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`no Pulumi.yaml above ${start}: run from the project checkout`);
        }
        dir = parent;
    }
}

export const PROJECT_ROOT = findProjectRoot();
