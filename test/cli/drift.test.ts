import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { classify, parsePreview, renderMarkdown, renderTable } from "../../cli/drift-classify";
import { driftCommand, reviewStack } from "../../cli/drift";
import { runCommand } from "../../cli/command";
import { captured, commandError, eventsFromPreview, FakeStack, fakeOpener } from "./fakes";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "drift");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));

function driftCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
    const result = spawnSync(process.execPath, ["dist/cli/main.js", "drift", ...args, "--out", out], { cwd: ROOT, encoding: "utf8", env });
    return { ...result, out };
}

function tempJson(value: unknown): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drift-in-")), "preview.json");
    fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
}

const URN = (type: string, name: string) => `urn:pulumi:dev::clusters::clusters:index:Cluster$${type}::${name}`;
const INSTANCE = "openstack:compute/instance:Instance";

describe("drift review of a saved preview (--from)", () => {
    it("no drift: exit 0", () => {
        const report = classify(parsePreview(load("clean")));
        assert.deepStrictEqual([report.items.length, report.errors.length], [0, 0]);
        const result = driftCli(["--from", path.join(FIXTURES, "clean.json")]);
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /No drift/);
    });

    it("tag-only drift: info, reconciled by pulumi up, exit 2", () => {
        const report = classify(parsePreview(load("tags")));
        assert.deepStrictEqual(report.items.map((i) => [i.property, i.severity, i.reconcilable]), [["metadata.owner", "info", true], ["tags[0]", "info", true]]);
        assert.strictEqual(driftCli(["--from", path.join(FIXTURES, "tags.json")]).status, 2);
    });

    it("a deleted VM: critical and not reconciled blindly", () => {
        const report = classify(parsePreview(load("deleted-vm")));
        assert.deepStrictEqual(report.items.map((i) => [i.name, i.severity, i.reconcilable]), [["dev-os-general-2", "critical", false]]);
        assert.match(report.items[0].reason, /missing/);
    });

    it("a changed security-group rule: warning; the changed Secret is reported by path only", () => {
        const report = classify(parsePreview(load("secgroup-rule")));
        assert.deepStrictEqual(report.items.map((i) => [i.type, i.property, i.severity, i.reconcilable]), [
            ["openstack:networking/secGroupRule:SecGroupRule", "remoteIpPrefix", "warning", true],
            ["kubernetes:core/v1:Secret", "stringData", "info", true],
        ]);
        const result = driftCli(["--from", path.join(FIXTURES, "secgroup-rule.json")]);
        assert.strictEqual(result.status, 2);
        const written = fs.readFileSync(path.join(result.out, "drift.json"), "utf8") + fs.readFileSync(path.join(result.out, "drift.md"), "utf8") + result.stdout;
        assert.ok(!written.includes("[secret]") && !/password|token/i.test(written), "no values, so no secrets, in any report");
        assert.match(fs.readFileSync(path.join(result.out, "drift.md"), "utf8"), /\| warning \| yes \| `openstack:networking\/secGroupRule:SecGroupRule` \|/);
    });

    it("an error: exit 1 with the error's message", () => {
        const result = driftCli(["--from", path.join(FIXTURES, "error.json")]);
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /could not authenticate to OpenStack: 401 Unauthorized/);
    });

    it("--json prints the report for a machine", () => {
        const result = driftCli(["--from", path.join(FIXTURES, "tags.json"), "--json"]);
        assert.strictEqual(result.status, 2);
        const report = JSON.parse(result.stdout);
        assert.deepStrictEqual([report.stack, report.summary.info], ["tags", 2]);
    });

    // Issue #15 item 15: each of these exited 0 ("No drift").
    for (const [label, text] of [["[]", "[]"], ["{}", "{}"], ["42", "42"], ["null", "null"], ["steps that are not steps", '{"steps":[{"op":1}]}']]) {
        it(`refuses ${label}: not a preview, exit 1 with why`, () => {
            const result = driftCli(["--from", tempJson(text), "--stack", "dev"]);
            assert.strictEqual(result.status, 1, result.stdout);
            assert.match(result.stderr, /not a `pulumi preview --json` document/);
            assert.doesNotMatch(result.stdout, /No drift/);
        });
    }

    it("classifies a preview far larger than the call stack allows spreading (no Math.max(...rows))", () => {
        // 140,000 rows: Math.max(...rows) threw RangeError from about 130,000, which exited 1 instead of 2 on a 50 MB preview.
        const steps = Array.from({ length: 70_000 }, (_, i) => ({ op: "update", urn: URN(INSTANCE, `n-${i}`), newState: { type: INSTANCE }, detailedDiff: { "tags[0]": { kind: "add" }, "metadata.a": { kind: "update" } } }));
        const report = classify(parsePreview({ steps }));
        assert.strictEqual(report.items.length, 140_000);
        const table = renderTable(report);
        assert.match(table, /70000 resource\(s\) drifted/);
    });

    it("escapes control characters and | in URNs, in the terminal and in drift.md", () => {
        const name = "evil\u001b[2J\u001b[31m|name\r\nfake row\u202e";
        const property = "tags|x`y";
        const result = driftCli(["--from", tempJson({ steps: [{ op: "update", urn: URN(INSTANCE, name), newState: { type: INSTANCE }, detailedDiff: { [property]: { kind: "update" } } }] }), "--stack", "dev"]);
        assert.strictEqual(result.status, 2, result.stderr);
        assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(result.stdout), "no control character reaches the terminal");
        assert.match(result.stdout, /evil\\u001b\[2J\\u001b\[31m\|name\\u000d\\u000afake row\\u202e/);
        const markdown = fs.readFileSync(path.join(result.out, "drift.md"), "utf8");
        const row = markdown.split("\n").find((l) => l.includes("evil"))!;
        assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(markdown));
        // Seven cell borders (six cells): every | from the URN or the property is escaped.
        assert.strictEqual(row.replace(/\\\|/g, "").split("|").length - 1, 7, row);
        assert.match(row, /``tags\\\|x`y``/, "a code span that holds a backtick");
    });

    it("reports a replacement once, not three times (create-replacement, replace, delete-replaced)", () => {
        const urn = URN(INSTANCE, "dev-os-cp-1");
        const step = (op: string) => ({ op, urn, newState: { type: INSTANCE }, ...(op === "replace" ? { replaceReasons: ["image"], detailedDiff: { image: { kind: "update-replace" } } } : {}) });
        for (const order of [["create-replacement", "replace", "delete-replaced"], ["delete-replaced", "replace", "create-replacement"]]) {
            const report = classify(parsePreview({ steps: order.map(step) }));
            assert.deepStrictEqual(report.items.map((i) => [i.name, i.property, i.severity, i.reconcilable]), [["dev-os-cp-1", "image", "critical", false]], order.join(","));
            assert.strictEqual(report.summary.resources, 1);
        }
        const bare = classify(parsePreview({ steps: [step("create-replacement"), step("delete-replaced")] }));
        assert.deepStrictEqual(bare.items.map((i) => [i.property, i.reason]), [["(resource)", "would be replaced"]]);
    });

    it("renders Markdown table cells that keep their shape", () => {
        const report = classify(parsePreview(load("tags")));
        const markdown = renderMarkdown("dev-openstack", report);
        assert.match(markdown, /^# Drift review of stack `dev-openstack`$/m);
        assert.match(markdown, /\| info \| yes \| `openstack:compute\/instance:Instance` \| dev-os-general-1 \| `tags\[0\]` \|/);
    });
});

describe("drift review through the Automation API (a fake of its surface)", () => {
    const stack = (script: ConstructorParameters<typeof FakeStack>[1]) => fakeOpener({ dev: new FakeStack("dev", script) });

    it("asks for preview with refresh, expect-no-changes and the policy pack", async () => {
        const fake = new FakeStack("dev", { events: eventsFromPreview(load("clean")) });
        const report = await reviewStack("dev", { opener: fakeOpener({ dev: fake }), policyPacks: ["policies"], policyPackConfigs: ["policies/config/production.json"] });
        assert.deepStrictEqual([report.items.length, report.errors.length], [0, 0]);
        const options = fake.previews[0];
        assert.deepStrictEqual([options.refresh, options.expectNoChanges, options.policyPacks, options.policyPackConfigs], [true, true, ["policies"], ["policies/config/production.json"]]);
        assert.strictEqual(typeof options.onEvent, "function", "events are streamed, not parsed from buffered output");
    });

    it("drift: the CLI rejects (expect-no-changes), the streamed steps decide: exit 2", async () => {
        const report = await reviewStack("dev", { opener: stack({ events: eventsFromPreview(load("secgroup-rule")) }) });
        assert.deepStrictEqual(report.errors, []);
        assert.deepStrictEqual(report.items.map((i) => [i.property, i.severity]), [["remoteIpPrefix", "warning"], ["stringData", "info"]]);
        const result = await captured(() => runCommand(driftCommand(stack({ events: eventsFromPreview(load("secgroup-rule")) })), ["--stack", "dev", "--out", fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "--skip-policies"]));
        assert.strictEqual(result.code, 2, result.stderr);
        assert.match(result.stdout, /remoteIpPrefix/);
    });

    it("an engine error diagnostic: exit 1 with its message", async () => {
        const opener = stack({ events: eventsFromPreview(load("error")), reject: commandError("error: preview failed") });
        const result = await captured(() => runCommand(driftCommand(opener), ["--stack", "dev", "--out", fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "--skip-policies"]));
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /could not authenticate to OpenStack: 401 Unauthorized/);
    });

    it("a failure before any event (login, missing config): exit 1 with the CLI's stderr", async () => {
        const report = await reviewStack("dev", { opener: stack({ reject: commandError("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions") }) });
        assert.match(report.errors.join(), /pulumi preview failed: error: PULUMI_ACCESS_TOKEN must be set/);
    });

    it("a mandatory policy violation fails the review", async () => {
        const events = [...eventsFromPreview(load("clean")), { sequence: 99, timestamp: 0, policyEvent: { message: "SSH open to the world", color: "never", policyName: "ssh-api-not-open-to-world", policyPackName: "clusters", policyPackVersion: "1", policyPackVersionTag: "1", enforcementLevel: "mandatory" as const } }];
        const report = await reviewStack("dev", { opener: stack({ events, reject: commandError("error: preview failed") }) });
        assert.deepStrictEqual(report.errors, ["clusters/ssh-api-not-open-to-world: SSH open to the world"]);
    });

    it("refuses a stack name that is not one before touching anything (exit 2)", async () => {
        const victim = fs.mkdtempSync(path.join(os.tmpdir(), "victim-"));
        const result = await captured(() => runCommand(driftCommand(stack({})), ["--stack", `a/../../..${victim}`]));
        assert.strictEqual(result.code, 2);
        assert.match(result.stderr, /is not a stack name/);
        assert.ok(fs.existsSync(victim));
    });

    it("says clearly when the Pulumi CLI is missing (the real LocalWorkspace, no pulumi on PATH)", () => {
        const result = driftCli(["--stack", "dev-openstack"], { ...process.env, PATH: fs.mkdtempSync(path.join(os.tmpdir(), "empty-")) });
        assert.strictEqual(result.status, 1, result.stdout + result.stderr);
        assert.match(result.stderr, /the Pulumi CLI \(pulumi\) is not on PATH/);
    });
});
