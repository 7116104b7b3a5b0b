import * as assert from "assert";
import { policyNamed, runStackPolicy } from "./harness";
import { CERTIFICATE_EXPIRY, daysAfter, kubeconfigCommand, stackOutputs, stamp, tokenKubeconfigCommand } from "./key-expiry-fixtures";

const created = "2026-01-01T00:00:00Z";

describe("policy key-rotation-overdue", () => {
    it("is mandatory", () => assert.strictEqual(policyNamed("key-rotation-overdue").enforcementLevel, "mandatory"));

    it("passes keys that are not due yet, however close", () => {
        assert.deepStrictEqual(runStackPolicy("key-rotation-overdue", [stamp("ssh", 0, created), stamp("age", 0, created)], { asOf: daysAfter(created, 89) }), []);
    });

    it("fails each key past due, naming the generation to bump", () => {
        const messages = runStackPolicy("key-rotation-overdue", [stamp("ssh", 0, created), stamp("age", 3, created), stamp("flux-deploy-key", 0, created)], { asOf: daysAfter(created, 200) });
        assert.deepStrictEqual(messages, [
            "operations.keyRotation.sshGeneration: SSH key (generation 0) was due 2026-06-30T00:00:00.000Z (20 day(s) ago): bump operations.keyRotation.sshGeneration to 1",
            "operations.keyRotation.ageGeneration: age key (generation 3) was due 2026-04-01T00:00:00.000Z (110 day(s) ago): bump operations.keyRotation.ageGeneration to 4",
            "operations.keyRotation.fluxDeployKeyGeneration: Flux deploy key (generation 0) was due 2026-06-30T00:00:00.000Z (20 day(s) ago): bump operations.keyRotation.fluxDeployKeyGeneration to 1",
        ]);
    });

    it("fails on the due date itself, and takes the stack's own due date over the configured period", () => {
        assert.strictEqual(runStackPolicy("key-rotation-overdue", [stamp("age", 0, created)], { asOf: daysAfter(created, 90) }).length, 1);
        assert.strictEqual(runStackPolicy("key-rotation-overdue", [stamp("age", 0, created), stackOutputs({ ageKeyRotationDue: daysAfter(created, 120) })], { asOf: daysAfter(created, 100) }).length, 0);
    });

    it("never blocks on the Kubernetes provider's token, however old: it does not expire (#12: a pulumi up a year later works without manual steps)", () => {
        assert.deepStrictEqual(runStackPolicy("key-rotation-overdue", [tokenKubeconfigCommand(created, 0)], { asOf: daysAfter(created, 365) }), []);
        assert.deepStrictEqual(runStackPolicy("key-rotation-overdue", [tokenKubeconfigCommand(created, 0)], { asOf: daysAfter(created, 3650) }), []);
        // The SSH key beside it still blocks.
        assert.strictEqual(runStackPolicy("key-rotation-overdue", [tokenKubeconfigCommand(created, 0), stamp("ssh", 0, created)], { asOf: daysAfter(created, 400) }).length, 1);
    });

    it("fails once an admin client certificate from before the token has expired", () => {
        assert.deepStrictEqual(runStackPolicy("key-rotation-overdue", [kubeconfigCommand()], { asOf: daysAfter(CERTIFICATE_EXPIRY, -1) }), []);
        const [message] = runStackPolicy("key-rotation-overdue", [kubeconfigCommand()], { asOf: daysAfter(CERTIFICATE_EXPIRY, 2) });
        assert.match(message, /^operations\.keyRotation\.kubeconfigGeneration: the admin client certificate .* was due .* \(2 day\(s\) ago\): bump operations\.keyRotation\.kubeconfigGeneration to 1/);
    });

    it("ignores a kubeconfig without a readable client certificate (the offline plan fabricates one)", () => {
        assert.deepStrictEqual(runStackPolicy("key-rotation-overdue", [kubeconfigCommand("not a certificate")], { asOf: "2100-01-01T00:00:00Z" }), []);
    });
});
