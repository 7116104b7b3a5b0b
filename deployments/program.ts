/** One DeploymentSettings and one DriftSchedule per cluster stack. */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { PRE_RUN_COMMANDS, stackDeployments } from "./settings";

/**
 * Resource operations a deployment runs at once (`PULUMI_PARALLEL`, read by the CLI since 3.154.0,
 * pulumi/pulumi#18782). On Day 1 every new node's Kubespray gate, then its ready, is ready at the same
 * moment (1,003 of each at 3+1,000 workers), each a Node process of about 73 MiB peak RSS
 * (bench/results/concurrency.md); a Pulumi-hosted runner has 2 vCPU and 8 GB, which the program (1.3 GiB at
 * 3+1,000, 3.4 GiB at 3+3,000), the engine and one Kubespray run share. 16 × 73 MiB ≈ 1.2 GiB. The
 * project's config `parallel` overrides it (README "Performance").
 */
export const DEFAULT_PARALLEL = 16;

export interface DeploymentsConfig {
    readonly organization: string;
    readonly project: string;
    /** owner/name on GitHub. */
    readonly repository: string;
    readonly branch: string;
    readonly stacksDir: string;
    /**
     * A Pulumi team or organization token with OPEN on the stacks' ESC environments. A deployment started
     * by a push or a pull request runs with a token scoped to its stack alone, which cannot open
     * environments when the organization's default environment permission is NONE. Unset: assign the
     * stacks' deployments a Pulumi Cloud role that can open them (Settings → Deploy → Pulumi Cloud role).
     */
    readonly accessToken?: pulumi.Output<string>;
    /** `PULUMI_PARALLEL` of every deployment. @default DEFAULT_PARALLEL */
    readonly parallel?: number;
}

export function defineDeployments(config: DeploymentsConfig): Record<string, unknown> {
    const deployments = stackDeployments(config.stacksDir);
    for (const d of deployments) {
        const stackRef = { organization: config.organization, project: config.project, stack: d.stack };
        const settings = new service.DeploymentSettings(d.stack, {
            ...stackRef,
            sourceContext: { git: { branch: `refs/heads/${config.branch}`, repoDir: "." } },
            github: {
                repository: config.repository,
                deployCommits: true,
                previewPullRequests: true,
                pullRequestTemplate: false,
                paths: [...d.paths],
            },
            operationContext: {
                preRunCommands: [...PRE_RUN_COMMANDS],
                options: { skipInstallDependencies: true },
                // Cloud credentials are not here: the stack file imports its site's ESC environment and
                // `pulumi up` opens it (Pulumi's recommended way; OpenStack, vSphere and Harvester have no
                // OIDC login of their own).
                environmentVariables: {
                    PULUMI_SKIP_UPDATE_CHECK: "true",
                    PULUMI_PARALLEL: String(config.parallel ?? DEFAULT_PARALLEL),
                    ...(config.accessToken ? { PULUMI_ACCESS_TOKEN: config.accessToken } : {}),
                },
            },
            agentPoolId: d.agentPoolId,
        });
        new service.DriftSchedule(d.stack, {
            ...stackRef,
            scheduleCron: d.driftCron,
            autoRemediate: d.autoRemediate,
        }, { dependsOn: [settings] });
    }
    return {
        stacks: deployments.map((d) => d.stack),
        environments: Object.fromEntries(deployments.map((d) => [d.stack, d.environments])),
    };
}

export function readConfig(stacksDir: string): DeploymentsConfig {
    const config = new pulumi.Config();
    return {
        organization: config.require("organization"),
        project: config.get("project") ?? "clusters",
        repository: config.require("repository"),
        branch: config.get("branch") ?? "main",
        stacksDir,
        accessToken: config.getSecret("accessToken"),
        parallel: config.getNumber("parallel", { min: 1 }),
    };
}
