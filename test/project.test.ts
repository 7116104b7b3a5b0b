import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../spec";

describe("Pulumi.yaml", () => {
    const project = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));

    it("is the clusters project with its stack files in stacks/", () => {
        assert.deepStrictEqual([project.name, project.runtime.name, project.stackConfigDir, project.main], ["clusters", "nodejs", "stacks", "dist/index.js"]);
    });

    it("declares every config key the spec reads, each with a description", () => {
        assert.deepStrictEqual(Object.keys(project.config).sort(), [...CONFIG_KEYS].sort());
        for (const [key, declaration] of Object.entries<any>(project.config)) {
            assert.ok(declaration.description?.length > 20, key);
        }
    });
});
