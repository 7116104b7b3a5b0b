/**
 * What Pulumi Deployments needs for each cluster stack, derived from the stack files: push-to-deploy
 * limited to the paths that affect that stack, pull-request previews, an install and build before every
 * run, the ESC environments that give the run its cloud credentials, an agent pool for on-prem targets
 * when the stack names one, and a drift schedule from its operations.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadClusterSpec, readStackFile, withSecretStandIns } from "../spec";

export interface StackDeployment {
    readonly stack: string;
    readonly provider: string;
    /** Paths whose change deploys this stack: its own file and the program every stack shares. */
    readonly paths: readonly string[];
    /** ESC environments the stack file imports (`environment:`), in order. */
    readonly environments: readonly string[];
    readonly agentPoolId?: string;
    readonly driftCron: string;
    readonly autoRemediate: boolean;
}

/**
 * The program every stack runs, and what it is built with: a change here affects all of them. The
 * GitHub workflows use the same list (.github/scripts/stacks.js; a test keeps them equal).
 */
export const SHARED_PATHS = [
    "index.ts", "Pulumi.yaml", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", ".nvmrc",
    "spec/**", "components/**", "policies/**",
];

/**
 * Before every deployment: install exactly the locked dependencies (no lifecycle scripts: the provider
 * SDKs' install scripts only download plugins the engine fetches itself), then compile, because
 * Pulumi.yaml runs dist/index.js and the Kubespray commands run the compiled runner. Each line runs in
 * its own shell (Pulumi Deployments' pre-run commands).
 */
export const PRE_RUN_COMMANDS = ["npm ci --ignore-scripts --no-audit --no-fund", "npm run build"];

/** An ESC environment reference as a stack file writes it: `<project>/<environment>`, optionally `@<version>`. */
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*(@[A-Za-z0-9_.-]+)?$/;

/** Where each provider's credentials may come from when a stack imports no environment. */
const PROVIDER_CONFIG_NAMESPACE: Readonly<Record<string, string | undefined>> = { openstack: "openstack", vsphere: "vsphere" };

/**
 * The environments a stack file imports. Pulumi accepts a list (what `pulumi config env add` writes)
 * or an environment definition with `imports:`.
 */
export function importedEnvironments(document: unknown, file: string): string[] {
    const block = (document as { environment?: unknown } | null)?.environment;
    if (block === undefined || block === null) {
        return [];
    }
    const list = Array.isArray(block) ? block : (block as { imports?: unknown }).imports;
    if (!Array.isArray(list) || list.some((name) => typeof name !== "string" || !ENVIRONMENT_NAME.test(name))) {
        throw new Error(`${file}: environment must list ESC environments as <project>/<environment> (for example clusters-sites/openstack-dfw3)`);
    }
    return list as string[];
}

export function stackDeployments(stacksDir: string): StackDeployment[] {
    return fs.readdirSync(stacksDir)
        .map((file) => ({ file, stack: /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1] }))
        .filter((entry): entry is { file: string; stack: string } => entry.stack !== undefined)
        .sort((a, b) => a.stack.localeCompare(b.stack))
        .map(({ file, stack }) => {
            const text = fs.readFileSync(path.join(stacksDir, file), "utf8");
            const stackFile = readStackFile(text, file);
            // Secrets are not needed to read the operations section; stand-ins keep validation whole.
            const { spec } = loadClusterSpec(withSecretStandIns(stackFile.values).values);
            const environments = importedEnvironments(parse(text), file);
            const provider = spec.infrastructure.provider;
            const namespace = PROVIDER_CONFIG_NAMESPACE[provider];
            const providerConfig = namespace !== undefined && Object.keys(stackFile.providerConfig).some((key) => key.startsWith(`${namespace}:`));
            if (namespace !== undefined && environments.length === 0 && !providerConfig && !spec.operations.agentPoolId) {
                throw new Error([
                    `${file}: a Deployment of this ${provider} stack would run without ${provider} credentials.`,
                    `Import the site's ESC environment (environment: [<project>/<environment>], see deployments/environments/${provider}.yaml),`,
                    `set ${namespace}: provider config in the stack, or run it on an agent pool (operations.agentPoolId) that has them.`,
                ].join(" "));
            }
            return {
                stack,
                provider,
                paths: [`stacks/${file}`, ...SHARED_PATHS],
                environments,
                agentPoolId: spec.operations.agentPoolId,
                driftCron: spec.operations.drift.schedule,
                autoRemediate: spec.operations.drift.autoRemediate,
            };
        });
}
