import * as assert from "assert";
import { runStackPolicy } from "./harness";
import { clusterCommand, machine } from "./stack-fixtures";

describe("policy etcd-quorum", () => {
    it("passes", () => assert.deepStrictEqual(runStackPolicy("etcd-quorum", [clusterCommand(["a", "b", "c"]), machine("a"), machine("b"), machine("c")]), []));
    it("fails", () => {
        const messages = runStackPolicy("etcd-quorum", [clusterCommand(["a", "b", "c"]), machine("a"), machine("b"), machine("c"), machine("d")]);
        assert.ok(messages.some((m) => /differ from the etcd members/.test(m)), JSON.stringify(messages));
    });
    it("flags an even member count", () => {
        assert.ok(runStackPolicy("etcd-quorum", [clusterCommand(["a", "b"]), machine("a"), machine("b")]).some((m) => /quorum needs an odd number/.test(m)));
    });
});
