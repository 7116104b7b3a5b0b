import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { classify } from "../../cli/drift-classify";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "drift");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));

function driftCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
    const result = spawnSync(process.execPath, ["dist/cli/drift.js", ...args, "--out", out], { cwd: ROOT, encoding: "utf8", env });
    return { ...result, out };
}

describe("drift review", () => {
    it("no drift: exit 0", () => {
        const report = classify(load("clean"));
        assert.deepStrictEqual([report.items.length, report.errors.length], [0, 0]);
        const result = driftCli(["--from", path.join(FIXTURES, "clean.json")]);
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /No drift/);
    });

    it("tag-only drift: info, reconciled by pulumi up, exit 2", () => {
        const report = classify(load("tags"));
        assert.deepStrictEqual(report.items.map((i) => [i.property, i.severity, i.reconcilable]), [["metadata.owner", "info", true], ["tags[0]", "info", true]]);
        assert.strictEqual(driftCli(["--from", path.join(FIXTURES, "tags.json")]).status, 2);
    });

    it("a deleted VM: critical and not reconciled blindly", () => {
        const report = classify(load("deleted-vm"));
        assert.deepStrictEqual(report.items.map((i) => [i.name, i.severity, i.reconcilable]), [["dev-os-general-2", "critical", false]]);
        assert.match(report.items[0].reason, /missing/);
    });

    it("a changed security-group rule: warning; the changed Secret is reported by path only", () => {
        const report = classify(load("secgroup-rule"));
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

    it("says clearly when the Pulumi CLI is missing", () => {
        const result = driftCli(["--stack", "dev-openstack"], { ...process.env, PATH: fs.mkdtempSync(path.join(os.tmpdir(), "empty-")) });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /the Pulumi CLI \(pulumi\) is not on PATH/);
    });
});
