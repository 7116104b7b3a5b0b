/**
 * What Pulumi Deployments needs for each cluster stack, derived from the stack files: push-to-deploy
 * limited to the paths that affect that stack, pull-request previews, `npm ci` before every run, an
 * agent pool for on-prem targets when the stack names one, and a drift schedule from its operations.
 */
import * as fs from "fs";
import * as path from "path";
import { loadClusterSpec, readStackFile, withSecretStandIns } from "../spec";

export interface StackDeployment {
    readonly stack: string;
    /** Paths whose change deploys this stack: its own file and the program every stack shares. */
    readonly paths: readonly string[];
    readonly agentPoolId?: string;
    readonly driftCron: string;
    readonly autoRemediate: boolean;
}

/** The program every stack runs: a change here affects all of them. */
export const SHARED_PATHS = ["index.ts", "Pulumi.yaml", "package.json", "package-lock.json", "spec/**", "components/**", "policies/**"];

export function stackDeployments(stacksDir: string): StackDeployment[] {
    return fs.readdirSync(stacksDir)
        .map((file) => ({ file, stack: /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1] }))
        .filter((entry): entry is { file: string; stack: string } => entry.stack !== undefined)
        .sort((a, b) => a.stack.localeCompare(b.stack))
        .map(({ file, stack }) => {
            const values = readStackFile(fs.readFileSync(path.join(stacksDir, file), "utf8"), file).values;
            // Secrets are not needed to read the operations section; stand-ins keep validation whole.
            const { spec } = loadClusterSpec(withSecretStandIns(values).values);
            return {
                stack,
                paths: [`stacks/${file}`, ...SHARED_PATHS],
                agentPoolId: spec.operations.agentPoolId,
                driftCron: spec.operations.drift.schedule,
                autoRemediate: spec.operations.drift.autoRemediate,
            };
        });
}
