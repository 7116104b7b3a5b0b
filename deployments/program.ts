/** One DeploymentSettings and one DriftSchedule per cluster stack. */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { stackDeployments } from "./settings";

export interface DeploymentsConfig {
    readonly organization: string;
    readonly project: string;
    /** owner/name on GitHub. */
    readonly repository: string;
    readonly branch: string;
    readonly stacksDir: string;
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
                preRunCommands: ["npm ci --ignore-scripts --no-audit --no-fund"],
                options: { skipInstallDependencies: true },
                environmentVariables: { PULUMI_SKIP_UPDATE_CHECK: "true" },
            },
            agentPoolId: d.agentPoolId,
        });
        new service.DriftSchedule(d.stack, {
            ...stackRef,
            scheduleCron: d.driftCron,
            autoRemediate: d.autoRemediate,
        }, { dependsOn: [settings] });
    }
    return { stacks: deployments.map((d) => d.stack) };
}

export function readConfig(stacksDir: string): DeploymentsConfig {
    const config = new pulumi.Config();
    return {
        organization: config.require("organization"),
        project: config.get("project") ?? "clusters",
        repository: config.require("repository"),
        branch: config.get("branch") ?? "main",
        stacksDir,
    };
}
