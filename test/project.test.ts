import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { listStacks, loadOfflineStack, stackFilePath } from "../cli/stacks";
import { applyProjectConfig, checkProjectConfig, fitsType, ProjectConfigError, projectConfigDeclarations } from "../offline/project-config";
import { CONFIG_KEYS, readStackFile } from "../spec";

const PROJECT_FILE = path.join(__dirname, "..", "Pulumi.yaml");

describe("Pulumi.yaml", () => {
    const project = parse(fs.readFileSync(PROJECT_FILE, "utf8"));

    it("is the clusters project with its stack files in stacks/", () => {
        assert.deepStrictEqual([project.name, project.runtime.name, project.stackConfigDir, project.main], ["clusters", "nodejs", "stacks", "dist/index.js"]);
    });

    it("declares every config key the spec reads, each with a description and a default (so none is required by the engine)", () => {
        assert.deepStrictEqual(Object.keys(project.config).sort(), [...CONFIG_KEYS].sort());
        for (const [key, declaration] of Object.entries<any>(project.config)) {
            assert.ok(declaration.description?.length > 20, key);
            assert.deepStrictEqual(declaration.default, {}, key);
        }
    });
});

/**
 * The engine's checks of a stack's config against Pulumi.yaml (pulumi/pulumi sdk/go/common/workspace
 * config.go mergeConfig, validateStackConfigValue; project.go Validate, ValidateConfigValue; project.json),
 * which the mock runtime does not do: offline/project-config.ts does them for every stack file.
 */
describe("the engine's project-config check, offline", () => {
    const declarations = projectConfigDeclarations(fs.readFileSync(PROJECT_FILE, "utf8"));
    const stackFile = (lines: string[]) => readStackFile(["config:", ...lines, ""].join("\n"));

    for (const stack of listStacks()) {
        it(`accepts the example stack ${stack} and hands the program every declared key`, () => {
            const file = applyProjectConfig(stack, readStackFile(fs.readFileSync(stackFilePath(stack), "utf8")), declarations);
            assert.deepStrictEqual(CONFIG_KEYS.filter((key) => !Object.hasOwn(file.values, key)), []);
            assert.ok(loadOfflineStack(stack).loaded.spec);
        });
    }

    it("refuses what the engine refused before defaults were declared: a declared key without a default that the stack leaves out", () => {
        const old = projectConfigDeclarations("name: clusters\nruntime: nodejs\nconfig:\n  meta:\n    description: identity\n  backup:\n    description: backups\n  secrets:\n    description: secrets\n");
        const edge = readStackFile(fs.readFileSync(stackFilePath("edge-existing"), "utf8"));
        assert.throws(() => applyProjectConfig("edge-existing", edge, old), (error: Error) => error instanceof ProjectConfigError
            && error.message === "Stack 'edge-existing' is missing configuration values 'backup' and 'secrets'");
        assert.throws(() => applyProjectConfig("x", stackFile(["  clusters:meta: {name: x}", "  clusters:backup: {}"]), old), /: Stack 'x' is missing configuration value 'secrets'$/);
    });

    it("applies defaults and values as the engine does", () => {
        const typed = projectConfigDeclarations("name: clusters\nruntime: nodejs\nconfig:\n  region: us-east\n  replicas:\n    type: integer\n    default: 3\n  meta:\n    default: {}\n");
        const file = applyProjectConfig("x", stackFile(["  clusters:replicas: 5"]), typed);
        assert.deepStrictEqual(file.values, { replicas: 5, region: "us-east", meta: {} });
    });

    it("checks values against declared types and secrets, with the engine's words", () => {
        const typed = projectConfigDeclarations([
            "name: clusters", "runtime: nodejs", "config:",
            "  count: {type: integer}", "  enabled: {type: boolean}", "  zones: {type: array, items: {type: string}}", "  token: {type: string, secret: true}",
        ].join("\n"));
        const ok = stackFile(["  clusters:count: 3", "  clusters:enabled: 'true'", "  clusters:zones: [a, b]", "  clusters:token: {secure: v1:abc}"]);
        assert.ok(applyProjectConfig("ok", ok, typed));
        const bad = stackFile(["  clusters:count: three", "  clusters:enabled: yes-please", "  clusters:zones: [a, [b]]", "  clusters:token: plain"]);
        assert.throws(() => applyProjectConfig("bad", bad, typed), (error: Error) => [
            "Stack 'bad' with configuration key 'count' must be of type 'integer'",
            "Stack 'bad' with configuration key 'enabled' must be of type 'boolean'",
            "Stack 'bad' with configuration key 'token' must be encrypted as it's secret",
            "Stack 'bad' with configuration key 'zones' must be of type 'array<string>'",
        ].every((line) => error.message.includes(line)));
    });

    it("refuses declarations the engine refuses", () => {
        const refused: [string, RegExp][] = [
            ["  meta:\n    type: object\n", /must be one of string, integer, boolean, array, not 'object'/],
            ["  meta:\n    bar: foobar\n", /additionalProperties 'bar' not allowed/],
            ["  zones:\n    type: array\n", /declares an array but does not specify the underlying type via the 'items' attribute/],
            ["  n:\n    type: integer\n    default: many\n", /default value specified for configuration key 'n' is not of the expected type 'integer'/],
            ["  n:\n    default: 1\n    value: 2\n", /cannot have both a 'default' and 'value' attribute/],
            ["  aws:region:\n    type: string\n", /not namespaced by the project and should not define a type/],
            ["  aws:region:\n    default: us-east-1\n", /should not define a default value/],
            ["  aws:region:\n    description: where\n", /must provide an attribute 'value'/],
        ];
        for (const [config, message] of refused) {
            assert.throws(() => projectConfigDeclarations(`name: clusters\nruntime: nodejs\nconfig:\n${config}`), message, config);
        }
    });

    it("matches types as ValidateConfigValue does", () => {
        assert.ok(fitsType("integer", undefined, "42") && fitsType("integer", undefined, 42) && !fitsType("integer", undefined, "4.2"));
        assert.ok(fitsType("boolean", undefined, "false") && !fitsType("boolean", undefined, "no"));
        assert.ok(fitsType("array", { type: "array", items: { type: "integer" } }, [["1", 2]]));
    });

    it("runs for every offline stack load (loadOfflineStack), against the project's own Pulumi.yaml", () => {
        const file = checkProjectConfig("edge-existing", readStackFile(fs.readFileSync(stackFilePath("edge-existing"), "utf8")));
        assert.deepStrictEqual(file.values.gitops, {});
        assert.strictEqual(loadOfflineStack("edge-existing").loaded.spec.gitops, undefined, "an empty gitops section means no GitOps");
    });
});
