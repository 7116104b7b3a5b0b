import * as assert from "assert";
import { findings, podSpec, TOKENS, wrap } from "./cases";
import { runResourcePolicy } from "./harness";

const policy = "disallow-default-namespace";
const lines = (object: Record<string, unknown>) => findings(policy, object).map((f) => `${f.field} (${f.rule})`);

describe("policy disallow-default-namespace", () => {
    it("passes workloads in their own namespace", () => {
        for (const kind of ["Pod", "Deployment", "DaemonSet", "StatefulSet", "Job"]) {
            assert.deepStrictEqual(runResourcePolicy(policy, TOKENS[kind], wrap(kind, podSpec())), [], kind);
        }
    });
    it("flags a Pod in default under validate-namespace and a controller under validate-podcontroller-namespace", () => {
        assert.deepStrictEqual(lines(wrap("Pod", podSpec(), { namespace: "default" })), ["metadata.namespace (validate-namespace)"]);
        for (const kind of ["Deployment", "DaemonSet", "StatefulSet", "Job"]) {
            assert.deepStrictEqual(lines(wrap(kind, podSpec(), { namespace: "default" })), ["metadata.namespace (validate-podcontroller-namespace)"], kind);
        }
    });
    it("flags an object that names no namespace: it lands in default (known disagreement)", () => {
        const object = wrap("Deployment", podSpec());
        delete (object.metadata as Record<string, unknown>).namespace;
        const messages = runResourcePolicy(policy, TOKENS.Deployment, object);
        assert.deepStrictEqual(messages, ["metadata.namespace: is unset, so the object lands in default; name another namespace"]);
        assert.strictEqual(findings(policy, object)[0].namespace, "default");
    });
    it("covers exactly Kyverno's kinds: autogen is off, so CronJobs, ReplicaSets and other objects are not checked", () => {
        for (const kind of ["CronJob", "ReplicaSet", "ReplicationController"]) {
            assert.deepStrictEqual(runResourcePolicy(policy, TOKENS[kind], wrap(kind, podSpec(), { namespace: "default" })), [], kind);
        }
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: {} }), []);
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: {} }), []);
    });
});
