import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy no-secrets-in-configmaps-or-commands", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("no-secrets-in-configmaps-or-commands", "kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "apps" }, data: { "log-level": "info" } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("no-secrets-in-configmaps-or-commands", "kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "apps" }, data: { "db-password": "hunter2hunter2" } });
        assert.ok(messages.some((m) => /data\.db-password: looks like a secret/.test(m)), JSON.stringify(messages));
    });
    it("flags secret material on a command line", () => {
        const messages = runResourcePolicy("no-secrets-in-configmaps-or-commands", "command:local:Command", { create: "echo '-----BEGIN OPENSSH PRIVATE KEY-----' > key" });
        assert.ok(messages.some((m) => /create: the command line holds secret material/.test(m)));
        assert.deepStrictEqual(runResourcePolicy("no-secrets-in-configmaps-or-commands", "command:local:Command", { create: "node runner.ts cluster", stdin: "secret via stdin" }), []);
    });
});
