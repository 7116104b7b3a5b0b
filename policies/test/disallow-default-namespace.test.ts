import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy disallow-default-namespace", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("disallow-default-namespace", "kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "apps" }, data: {} }), []));
    it("fails", () => {
        const messages = runResourcePolicy("disallow-default-namespace", "kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: {} });
        assert.ok(messages.some((m) => /metadata\.namespace: must not be default/.test(m)), JSON.stringify(messages));
    });
});
