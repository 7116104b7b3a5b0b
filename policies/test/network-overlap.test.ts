import * as assert from "assert";
import { runStackPolicy } from "./harness";
import { clusterCommand } from "./stack-fixtures";

describe("policy network-overlap", () => {
    it("passes", () => assert.deepStrictEqual(runStackPolicy("network-overlap", [clusterCommand(["a"])]), []));
    it("fails", () => {
        const messages = runStackPolicy("network-overlap", [clusterCommand(["a"], { nodes: "10.0.0.0/16", pods: "10.0.128.0/17", services: "10.96.0.0/12" })]);
        assert.ok(messages.some((m) => /overlaps the nodes network/.test(m)), JSON.stringify(messages));
    });
});
