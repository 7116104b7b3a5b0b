import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { defineDeployments, type DeploymentsConfig } from "../deployments/program";
import { importedEnvironments, PRE_RUN_COMMANDS, SHARED_PATHS, stackDeployments } from "../deployments/settings";
import { listStacks } from "../cli/stacks";
import { runOffline } from "../offline/harness";
import { SCHEMAS } from "./schemas";

const STACKS = path.join(__dirname, "..", "stacks");
const ENVIRONMENTS = path.join(__dirname, "..", "deployments", "environments");
const base: DeploymentsConfig = { organization: "acme", project: "clusters", repository: "acme/clusters", branch: "main", stacksDir: STACKS };

describe("deployments project", () => {
    it("creates one DeploymentSettings and one DriftSchedule per stack, with the stack's paths", async () => {
        const run = await runOffline({}, () => defineDeployments(base), { stack: "deployments" });
        const settings = run.resources.filter((r) => r.type === "pulumiservice:index:DeploymentSettings");
        const drift = run.resources.filter((r) => r.type === "pulumiservice:index:DriftSchedule");
        assert.deepStrictEqual(settings.map((r) => r.name), listStacks());
        assert.deepStrictEqual(drift.map((r) => r.name), listStacks());
        const prod = settings.find((r) => r.name === "prod-vsphere")!.rawInputs as any;
        assert.deepStrictEqual(prod.github.paths, ["stacks/Pulumi.prod-vsphere.yaml", ...SHARED_PATHS]);
        assert.deepStrictEqual([prod.github.deployCommits, prod.github.previewPullRequests, prod.github.repository], [true, true, "acme/clusters"]);
        assert.deepStrictEqual([prod.organization, prod.project, prod.stack], ["acme", "clusters", "prod-vsphere"]);
        const prodDrift = drift.find((r) => r.name === "prod-vsphere")!.rawInputs;
        assert.deepStrictEqual([prodDrift.scheduleCron, prodDrift.autoRemediate], ["0 */6 * * *", false]);
        assert.strictEqual(drift.find((r) => r.name === "dev-openstack")!.rawInputs.scheduleCron, "0 6 * * *");
        assert.strictEqual((settings.find((r) => r.name === "enclave-harvester")!.rawInputs as any).agentPoolId, "5b6c1f2e-0d4a-4f7e-9c3b-2a1d8e7f6a10", "on-prem stacks run on their agent pool");
        assert.strictEqual(prod.agentPoolId, undefined);
    });

    it("installs the locked dependencies and builds before every run: Pulumi.yaml runs dist/index.js", async () => {
        const project = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));
        assert.strictEqual(project.main, "dist/index.js");
        assert.deepStrictEqual(PRE_RUN_COMMANDS, ["npm ci --ignore-scripts --no-audit --no-fund", "npm run build"]);
        const run = await runOffline({}, () => defineDeployments(base), { stack: "deployments" });
        for (const settings of run.resources.filter((r) => r.type === "pulumiservice:index:DeploymentSettings")) {
            const context = (settings.rawInputs as any).operationContext;
            assert.deepStrictEqual(context.preRunCommands, PRE_RUN_COMMANDS);
            assert.strictEqual(context.options.skipInstallDependencies, true, "the pre-run commands install; Deployments' own install would not build");
            assert.strictEqual(context.environmentVariables.PULUMI_ACCESS_TOKEN, undefined);
        }
    });

    it("passes a token that can open the ESC environments only as a secret", async () => {
        const run = await runOffline({}, () => defineDeployments({ ...base, accessToken: pulumi.secret("pul-stand-in-token") }), { stack: "deployments" });
        const settings = run.resources.find((r) => r.type === "pulumiservice:index:DeploymentSettings" && r.name === "dev-openstack")!;
        assert.ok(settings.secretPaths.some((p) => p.startsWith("operationContext")), "the token is a secret input");
        assert.ok(!JSON.stringify(settings.inputs).includes("pul-stand-in-token"));
    });

    it("every cloud stack imports its site's ESC environment; the output lists them", async () => {
        const deployments = stackDeployments(STACKS);
        const byStack = Object.fromEntries(deployments.map((d) => [d.stack, d.environments]));
        assert.deepStrictEqual(byStack, {
            "dev-openstack": ["clusters-sites/openstack-dfw3"],
            "edge-existing": [],
            "enclave-harvester": ["clusters-sites/harvester-enclave"],
            "prod-vsphere": ["clusters-sites/vsphere-dc1"],
        });
        for (const d of deployments.filter((x) => x.provider !== "existing")) {
            assert.ok(d.environments.length > 0, `${d.stack} imports no environment`);
        }
        const run = await runOffline({}, () => defineDeployments(base), { stack: "deployments" });
        assert.deepStrictEqual((run.outputs as any).environments, byStack);
    });

    it("refuses a cloud stack that would run without credentials, and a malformed environment list", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-test-"));
        try {
            const text = fs.readFileSync(path.join(STACKS, "Pulumi.dev-openstack.yaml"), "utf8");
            const withoutEnvironment = text.slice(0, text.indexOf("\nenvironment:")) + "\n";
            fs.writeFileSync(path.join(dir, "Pulumi.bare.yaml"), withoutEnvironment);
            assert.throws(() => stackDeployments(dir), /Pulumi\.bare\.yaml: a Deployment of this openstack stack would run without openstack credentials/);
            // Provider config in the stack file is a credential source too.
            fs.writeFileSync(path.join(dir, "Pulumi.bare.yaml"), withoutEnvironment.replace("config:\n", "config:\n  openstack:cloud: dfw3\n"));
            assert.deepStrictEqual(stackDeployments(dir).map((d) => d.environments), [[]]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        // Both forms Pulumi accepts: a list, and an environment definition with imports.
        assert.deepStrictEqual(importedEnvironments({ environment: ["a/b", "c/d@3"] }, "f"), ["a/b", "c/d@3"]);
        assert.deepStrictEqual(importedEnvironments({ environment: { imports: ["a/b"] } }, "f"), ["a/b"]);
        assert.throws(() => importedEnvironments({ environment: ["$(id)"] }, "f.yaml"), /f\.yaml: environment must list ESC environments/);
        assert.throws(() => importedEnvironments({ environment: "a/b" }, "f.yaml"), /environment must list/);
    });
});

describe("ESC environment templates (deployments/environments)", () => {
    const template = (name: string) => parse(fs.readFileSync(path.join(ENVIRONMENTS, `${name}.yaml`), "utf8"));

    /** Every fn::secret value in a template is the placeholder: real secrets never go into Git. */
    function secretValues(value: unknown): unknown[] {
        if (Array.isArray(value)) {
            return value.flatMap(secretValues);
        }
        if (value && typeof value === "object") {
            return Object.entries(value).flatMap(([k, v]) => (k === "fn::secret" ? [v] : secretValues(v)));
        }
        return [];
    }

    it("hold placeholders only where secrets go", () => {
        for (const file of fs.readdirSync(ENVIRONMENTS)) {
            const document = parse(fs.readFileSync(path.join(ENVIRONMENTS, file), "utf8"));
            for (const secret of secretValues(document)) {
                assert.strictEqual(secret, "replace-me", `${file}: a secret value other than the placeholder`);
            }
        }
    });

    it("give each provider its credentials under the provider's own config keys", () => {
        // Keys of @pulumi/openstack's provider config (node_modules/@pulumi/openstack/config/vars.d.ts) and of
        // the vSphere provider schema (../shared/schemas/vsphere/schema-subset.json config.variables).
        const openstack = Object.keys(template("openstack").values.pulumiConfig);
        assert.deepStrictEqual(openstack.sort(), ["openstack:applicationCredentialId", "openstack:applicationCredentialSecret", "openstack:authUrl", "openstack:region"]);
        const vars = fs.readFileSync(require.resolve("@pulumi/openstack/config/vars.d.ts"), "utf8");
        for (const key of openstack) {
            assert.match(vars, new RegExp(`export declare const ${key.split(":")[1]}:`));
        }
        const vsphereSchema = JSON.parse(fs.readFileSync(path.join(SCHEMAS, "vsphere", "schema-subset.json"), "utf8"));
        for (const key of Object.keys(template("vsphere").values.pulumiConfig)) {
            assert.ok(key.split(":")[1] in vsphereSchema.config.variables, `${key} is not a vSphere provider setting`);
        }
        // The program reads the Harvester kubeconfig from the stack's secrets.
        assert.ok(template("harvester").values.pulumiConfig["clusters:secrets"].harvesterKubeconfig);
        assert.ok(template("vault").values.vault.login["fn::open::vault-login"].jwt.role, "Vault login by OIDC (JWT), no static token");
    });

    it("exist for every provider a stack imports one for", () => {
        for (const d of stackDeployments(STACKS).filter((x) => x.environments.length)) {
            assert.ok(fs.existsSync(path.join(ENVIRONMENTS, `${d.provider}.yaml`)), d.provider);
        }
    });
});
