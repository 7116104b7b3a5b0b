import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { defineDeployments } from "../deployments/program";
import { SHARED_PATHS } from "../deployments/settings";
import { listStacks } from "../cli/stacks";
import { runOffline } from "../offline/harness";

describe("deployments project", () => {
    it("creates one DeploymentSettings and one DriftSchedule per stack, with the stack's paths", async () => {
        const run = await runOffline({}, () => defineDeployments({ organization: "acme", project: "clusters", repository: "acme/clusters", branch: "main", stacksDir: path.join(__dirname, "..", "stacks") }), { stack: "deployments" });
        const settings = run.resources.filter((r) => r.type === "pulumiservice:index:DeploymentSettings");
        const drift = run.resources.filter((r) => r.type === "pulumiservice:index:DriftSchedule");
        assert.deepStrictEqual(settings.map((r) => r.name), listStacks());
        assert.deepStrictEqual(drift.map((r) => r.name), listStacks());
        const prod = settings.find((r) => r.name === "prod-vsphere")!.rawInputs as any;
        assert.deepStrictEqual(prod.github.paths, ["stacks/Pulumi.prod-vsphere.yaml", ...SHARED_PATHS]);
        assert.deepStrictEqual([prod.github.deployCommits, prod.github.previewPullRequests, prod.github.repository], [true, true, "acme/clusters"]);
        assert.deepStrictEqual(prod.operationContext.preRunCommands, ["npm ci --ignore-scripts --no-audit --no-fund"]);
        assert.deepStrictEqual([prod.organization, prod.project, prod.stack], ["acme", "clusters", "prod-vsphere"]);
        const prodDrift = drift.find((r) => r.name === "prod-vsphere")!.rawInputs;
        assert.deepStrictEqual([prodDrift.scheduleCron, prodDrift.autoRemediate], ["0 */6 * * *", false]);
        assert.strictEqual(drift.find((r) => r.name === "dev-openstack")!.rawInputs.scheduleCron, "0 6 * * *");
        assert.strictEqual((settings.find((r) => r.name === "enclave-harvester")!.rawInputs as any).agentPoolId, "5b6c1f2e-0d4a-4f7e-9c3b-2a1d8e7f6a10", "on-prem stacks run on their agent pool");
        assert.strictEqual(prod.agentPoolId, undefined);
    });
});

describe("GitHub workflows for teams not on Pulumi Cloud", () => {
    const workflow = (name: string) => parse(fs.readFileSync(path.join(__dirname, "..", ".github", "workflows", `${name}.yml`), "utf8"));
    const commands = (wf: any) => Object.values(wf.jobs).flatMap((job: any) => job.steps.map((s: any) => s.run ?? "")).join("\n");

    it("previews pull requests with the policy pack", () => {
        const wf = workflow("preview");
        assert.ok(wf.on.pull_request);
        assert.match(commands(wf), /pulumi preview --stack "\$\{\{ matrix\.stack \}\}" --policy-pack policies --policy-pack-config/);
    });

    it("applies on merge to main, one run per stack at a time", () => {
        const wf = workflow("apply");
        assert.deepStrictEqual(wf.on.push.branches, ["main"]);
        assert.match(commands(wf), /pulumi up --stack "\$\{\{ matrix\.stack \}\}" --policy-pack policies --yes/);
        assert.strictEqual(wf.jobs.up.concurrency.group, "stack-${{ matrix.stack }}");
    });

    it("reviews drift on a schedule and fails on drift", () => {
        const wf = workflow("drift");
        assert.ok(wf.on.schedule[0].cron);
        assert.match(commands(wf), /npm run fleet -- drift --all/);
    });
});
