/**
 * Where input may come from and what free text may hold (issue #15, second round): secrets in clear in a
 * stack file, `clusters:operations`/`clusters:kubespray` supplied by an ESC environment, invisible and
 * terminal-control characters in free text, Markdown/HTML in plan.md, Linux interface names, and a stack
 * file nested thousands of levels deep.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { escapeMarkdownText, escapeTerminal } from "../../cli/terminal";
import { loadOfflineStack, STACKS_DIR } from "../../cli/stacks";
import { defineCluster } from "../../components/program";
import { STACK_FILE_ONLY_KEYS, stackConfig, stackConfigProblems } from "../../components/stack-config";
import { releaseOfflineRun, runOffline } from "../../offline/harness";
import { readStackFile, SpecError, withSecretStandIns } from "../../spec";
import { unsafeTextProblem } from "../../spec/text";
import { issuesOf, openstackConfig, withValue } from "../fixtures/configs";

const temporary: string[] = [];
function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temporary.push(dir);
    return dir;
}
after(() => {
    for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

/** The example stack edge-existing, changed by `edit`, written as `Pulumi.<name>.yaml` in a new directory. */
function exampleStack(name: string, edit: (config: Record<string, unknown>) => void): { dir: string; file: string } {
    const document = parse(fs.readFileSync(path.join(STACKS_DIR, "Pulumi.edge-existing.yaml"), "utf8"));
    edit(document.config);
    const dir = tempDir("stacks-");
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, stringify(document));
    return { dir, file };
}

describe("secrets in clear in a stack file are refused (issue #15)", () => {
    it("names each path and the command that encrypts it, never the value", () => {
        const { dir } = exampleStack("leaky", (config) => {
            config["clusters:secrets"] = { gitToken: "ghp_0123456789abcdefCANARY", services: { "kube-prometheus-stack": { grafanaAdminPassword: "CANARY-2" } } };
        });
        let error: unknown;
        try {
            loadOfflineStack("leaky", dir);
        } catch (caught) {
            error = caught;
        }
        assert.ok(error instanceof SpecError, String(error));
        assert.deepStrictEqual(error.issues.map((issue) => issue.path), ["secrets.gitToken", "secrets.services.kube-prometheus-stack.grafanaAdminPassword"]);
        assert.match(error.message, /secrets\.gitToken: is in clear in .*Pulumi\.leaky\.yaml; secrets must be encrypted: pulumi config set --secret --path 'clusters:secrets\.gitToken' <value>/);
        assert.ok(!error.message.includes("CANARY"), error.message);
    });

    it("accepts secure: values", () => {
        const { dir } = exampleStack("sealed", (config) => {
            config["clusters:secrets"] = { sshPrivateKey: { secure: "v1:AAAABBBBCCCC" } };
        });
        assert.doesNotThrow(() => loadOfflineStack("sealed", dir));
    });
});

describe("the program refuses config that does not come from its stack file (issue #15)", () => {
    const engineConfig = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([key, value]) => [`clusters:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));

    it("clusters:operations and clusters:kubespray supplied by an environment are refused, naming the keys", () => {
        const { file } = exampleStack("site", () => undefined);
        const values = readStackFile(fs.readFileSync(file, "utf8")).values;
        const fromEnvironment = { ...values, operations: { breakGlass: "deadbeef", maintenanceWindows: [{ days: ["mon"], start: "00:00", durationMinutes: 1440 }] }, kubespray: { ...(values.kubespray as object), extraVars: { kube_log_level: 5 } } };
        const [problem, ...rest] = stackConfigProblems(engineConfig(fromEnvironment), file, () => true);
        assert.deepStrictEqual(rest, []);
        assert.match(problem, /^clusters:operations \(breakGlass, maintenanceWindows\) and clusters:kubespray \(extraVars\) are set in an ESC environment or on the command line, not in the stack file .*Pulumi\.site\.yaml; only the stack file may set these/);
        assert.deepStrictEqual(STACK_FILE_ONLY_KEYS, ["operations", "kubespray"]);
    });

    it("the same values in another key order, or {} for an unset key, are the stack file's", () => {
        const { file } = exampleStack("ordered", (config) => {
            config["clusters:operations"] = { drain: { retries: 2, timeoutSeconds: 600 }, paused: false };
        });
        const values = readStackFile(fs.readFileSync(file, "utf8")).values;
        assert.deepStrictEqual(stackConfigProblems(engineConfig({ ...values, operations: { paused: false, drain: { timeoutSeconds: 600, retries: 2 } }, services: {} }), file, () => true), []);
    });

    it("clusters:secrets in clear (not a Pulumi secret) is refused by name; marked secret it is accepted", () => {
        const { file } = exampleStack("plain", () => undefined);
        const values = { ...readStackFile(fs.readFileSync(file, "utf8")).values, secrets: { gitToken: "ghp_CANARY" } };
        const [problem] = stackConfigProblems(engineConfig(values), file, () => false);
        assert.match(problem, /^clusters:secrets reaches the program in clear \(not a Pulumi secret\): 'clusters:secrets\.gitToken'; set each with pulumi config set --secret --path 'clusters:secrets\.<name>'/);
        assert.ok(!problem.includes("CANARY"));
        assert.deepStrictEqual(stackConfigProblems(engineConfig(values), file, (key) => key === "clusters:secrets"), []);
    });

    it("@pulumi/pulumi's runtime still has isConfigSecret (internal, so the check would silently vanish in an upgrade)", () => {
        assert.strictEqual(typeof (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret, "function");
    });

    it("under the offline harness: an environment's breakGlass stops the program before any resource; the stack file's own values run", async () => {
        const { file } = exampleStack("edge-harness", () => undefined);
        const values = withSecretStandIns(readStackFile(fs.readFileSync(file, "utf8")).values).values;
        await assert.rejects(
            runOffline({ ...values, operations: { breakGlass: "deadbeef" } }, () => defineCluster(stackConfig({ stackFile: file })), { stack: "edge-harness" }),
            (error: Error) => error instanceof pulumi.RunError && /clusters:operations \(breakGlass\) is set in an ESC environment or on the command line, not in the stack file/.test(error.message),
        );
        const run = await runOffline(values, () => defineCluster(stackConfig({ stackFile: file })), { stack: "edge-harness" });
        try {
            assert.ok(run.resources.length > 0);
        } finally {
            releaseOfflineRun(run);
        }
    });
});

describe("free text holds no control or invisible character; plan.md and terminals get it inert (issue #15)", () => {
    const reasons = { "U+009B (C1 CSI)": "freeze \u009b31m until Monday", "U+202E": "freeze \u202eyadnoM", "U+2066": "a\u2066b", "U+200B": "a\u200bb", "U+001B": "\u001b[2J", "U+2028": "a\u2028b", "U+FEFF": "\ufeffa" };
    for (const [what, reason] of Object.entries(reasons)) {
        it(`operations.pausedReason refuses ${what} by its code point`, () => {
            const issues = issuesOf(withValue(openstackConfig(), "operations", { paused: true, pausedReason: reason }));
            assert.strictEqual(issues.length, 1, JSON.stringify(issues));
            assert.strictEqual(issues[0].path, "operations.pausedReason");
            assert.match(issues[0].message, /^contains (a control character|an invisible format character|a line or paragraph separator).*\(U\+[0-9A-F]{4} at position \d+\)/);
            assert.ok(!/[\u0080-\u009f\u200b\u202e\u2066\u2028\ufeff\u001b]/.test(issues[0].message), "the character itself was printed");
        });
    }

    it("Helm values may span lines but hold no invisible character", () => {
        assert.deepStrictEqual(issuesOf(withValue(openstackConfig(), "services.loki", { values: { config: "a: 1\n\tb: 2\r\n" } })), []);
        const issues = issuesOf(withValue(openstackConfig(), "services.loki", { values: { deep: { text: "x\u202ey" } } }));
        assert.ok(issues.some((issue) => issue.path === "services.loki.values.deep.text" && /U\+202E/.test(issue.message)), JSON.stringify(issues));
    });

    it("unsafeTextProblem allows ordinary text in any script", () => {
        for (const text of ["Wartung bis Montag", "メンテナンス中", "عطلة", "change freeze: see https://status.example.com/123 | ops"]) {
            assert.strictEqual(unsafeTextProblem(text), undefined, text);
        }
        assert.match(unsafeTextProblem("a\nb") ?? "", /line break or tab \(U\+000A/);
        assert.strictEqual(unsafeTextProblem("a\nb", { multiline: true }), undefined);
    });

    it("escapeTerminal shows C1, bidi, zero-width and astral format characters as escapes", () => {
        assert.strictEqual(escapeTerminal("a\u009bb\u202ec\u200bd\u{e0001}e"), "a\\u009bb\\u202ec\\u200bd\\u{e0001}e");
    });

    it("escapeMarkdownText leaves no HTML, link or table cell break", () => {
        assert.strictEqual(escapeMarkdownText("<img src=x onerror=alert(1)>"), "\\<img src=x onerror=alert\\(1\\)\\>");
        assert.strictEqual(escapeMarkdownText("[x](javascript:alert(1))"), "\\[x\\]\\(javascript:alert\\(1\\)\\)");
        assert.strictEqual(escapeMarkdownText("a|b &amp; *c*"), "a\\|b \\&amp; \\*c\\*");
    });

    it("a pausedReason with HTML, a javascript: link and '|' reaches plan.md and the summary escaped", async function () {
        this.timeout(120_000);
        const reason = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) a|b";
        const { dir } = exampleStack("paused-html", (config) => {
            config["clusters:operations"] = { ...(config["clusters:operations"] as object ?? {}), paused: true, pausedReason: reason };
        });
        const { plan } = await import("../../cli/plan");
        const out = tempDir("plan-out-");
        const result = await plan(loadOfflineStack("paused-html", dir), out);
        const markdown = fs.readFileSync(path.join(result.outDir, "plan.md"), "utf8");
        assert.ok(markdown.includes(escapeMarkdownText(reason)), markdown.split("\n").find((line) => line.includes("paused")));
        assert.ok(!/(?<!\\)<img/.test(markdown) && !/(?<!\\)\]\(javascript/.test(markdown), "raw HTML or a link reached plan.md");
    });
});

describe("Linux interface names (issue #15)", () => {
    for (const name of ["eth0", "eno1.100", "bond0.10", "br-ex", "enp1s0f0", "vlan_20", "a23456789012345"]) {
        it(`accepts ${name}`, () => {
            assert.deepStrictEqual(issuesOf(withValue(openstackConfig(), "infrastructure.apiEndpoint", { type: "kube-vip", interface: name })), []);
        });
    }
    for (const name of ["eth0:1", "a/b", "a b", "-eth0", ".", "..", "a234567890123456", ""]) {
        it(`refuses ${JSON.stringify(name)}`, () => {
            const issues = issuesOf(withValue(openstackConfig(), "infrastructure.apiEndpoint", { type: "kube-vip", interface: name }));
            assert.ok(issues.some((issue) => issue.path === "infrastructure.apiEndpoint.interface"), JSON.stringify(issues));
        });
    }
});

describe("a stack file nested thousands of levels deep (issue #15)", () => {
    it("is refused with the limit, not a stack overflow", () => {
        for (const text of [`config:\n  clusters:meta: ${"[".repeat(5000)}${"]".repeat(5000)}\n`, `config:\n  clusters:meta:\n    ${"- ".repeat(5000)}x\n`, `config:\n  clusters:meta: ${"[".repeat(5000)}\n`]) {
            assert.throws(() => readStackFile(text), (error: Error) => error instanceof SpecError && /nests deeper than 64 levels/.test(error.message) && !/call stack/.test(error.message));
        }
    });
});
