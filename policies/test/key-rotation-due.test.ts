import * as assert from "assert";
import { policyNamed, runStackPolicy } from "./harness";
import { CERTIFICATE_EXPIRY, CERTIFICATE_PEM, clusterCommand, daysAfter, kubeconfigCommand, stackOutputs, stamp, tokenKubeconfigCommand } from "./key-expiry-fixtures";

const created = "2026-01-01T00:00:00Z";
// The sentinel the policy server puts where a value is not known during a preview (internal to @pulumi/policy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: unknown };

describe("policy key-rotation-due", () => {
    it("is advisory, with a configurable warning (14 days by default) and periods", () => {
        const policy = policyNamed("key-rotation-due");
        assert.strictEqual(policy.enforcementLevel, "advisory");
        assert.strictEqual((policy.configSchema!.properties.warningDays as { default: number }).default, 14);
        assert.deepStrictEqual(["sshDays", "ageDays", "fluxDeployKeyDays", "kubeconfigDays"].map((k) => (policy.configSchema!.properties[k] as { default: number }).default), [180, 90, 180, 365]);
    });

    it("says nothing while every due date is further away than the warning", () => {
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [stamp("ssh", 0, created), stamp("age", 0, created)], { asOf: daysAfter(created, 30) }), []);
    });

    it("warns within the warning days before the SSH and age keys are due, naming the generation to bump", () => {
        const messages = runStackPolicy("key-rotation-due", [stamp("ssh", 2, created), stamp("age", 0, created)], { asOf: daysAfter(created, 80) });
        assert.deepStrictEqual(messages, ["operations.keyRotation.ageGeneration: age key (generation 0) is due 2026-04-01T00:00:00.000Z (in 10 day(s)): bump operations.keyRotation.ageGeneration to 1"]);
        const ssh = runStackPolicy("key-rotation-due", [stamp("ssh", 2, created)], { asOf: daysAfter(created, 170) });
        assert.deepStrictEqual(ssh, ["operations.keyRotation.sshGeneration: SSH key (generation 2) is due 2026-06-30T00:00:00.000Z (in 10 day(s)): bump operations.keyRotation.sshGeneration to 3"]);
    });

    it("takes the warning days and periods from config", () => {
        assert.strictEqual(runStackPolicy("key-rotation-due", [stamp("age", 0, created)], { asOf: daysAfter(created, 60), warningDays: 31 }).length, 1);
        assert.strictEqual(runStackPolicy("key-rotation-due", [stamp("age", 0, created)], { asOf: daysAfter(created, 80), ageDays: 365 }).length, 0);
    });

    it("prefers the due date the stack outputs (the stack file's own period)", () => {
        const messages = runStackPolicy("key-rotation-due", [stamp("ssh", 0, created), stackOutputs({ sshKeyRotationDue: "2026-02-01T00:00:00Z" })], { asOf: "2026-01-25T00:00:00Z" });
        assert.match(messages[0], /SSH key \(generation 0\) is due 2026-02-01T00:00:00.000Z \(in 7 day\(s\)\)/);
    });

    it("warns for the Flux deploy key, naming its generation field", () => {
        const messages = runStackPolicy("key-rotation-due", [stamp("flux-deploy-key", 1, created)], { asOf: daysAfter(created, 175) });
        assert.deepStrictEqual(messages, ["operations.keyRotation.fluxDeployKeyGeneration: Flux deploy key (generation 1) is due 2026-06-30T00:00:00.000Z (in 5 day(s)): bump operations.keyRotation.fluxDeployKeyGeneration to 2"]);
    });

    it("dates the Kubernetes provider's ServiceAccount token by its Secret's creation (kubeconfigDays, default 365), naming the generation to bump", () => {
        const token = tokenKubeconfigCommand("2026-01-01T00:00:00Z", 2);
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [token], { asOf: daysAfter(created, 300) }), []);
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [token], { asOf: daysAfter(created, 360) }), [
            "operations.keyRotation.kubeconfigGeneration: Kubernetes provider token (generation 2) is due 2027-01-01T00:00:00.000Z (in 5 day(s)): bump operations.keyRotation.kubeconfigGeneration to 3: a new ServiceAccount token Secret is made and the old one deleted",
        ]);
        assert.strictEqual(runStackPolicy("key-rotation-due", [token], { asOf: daysAfter(created, 80), kubeconfigDays: 90 }).length, 1);
        // Past it the token still works: a warning, not a failure (key-rotation-overdue leaves it alone).
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [token], { asOf: daysAfter(created, 400) }), [
            "operations.keyRotation.kubeconfigGeneration: Kubernetes provider token (generation 2) is past its rotation date 2027-01-01T00:00:00.000Z (35 day(s) ago). It does not expire, so nothing is blocked; to rotate it: bump operations.keyRotation.kubeconfigGeneration to 3: a new ServiceAccount token Secret is made and the old one deleted",
        ]);
        // A token kubeconfig has no client certificate: nothing else to date in it without a CA.
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [tokenKubeconfigCommand("not a date")], { asOf: "2100-01-01T00:00:00Z" }), []);
    });

    it("warns about the cluster CA half a year ahead: only a new cluster replaces it", () => {
        const messages = runStackPolicy("key-rotation-due", [tokenKubeconfigCommand(daysAfter(CERTIFICATE_EXPIRY, -30), 0, CERTIFICATE_PEM)], { asOf: daysAfter(CERTIFICATE_EXPIRY, -100) });
        assert.deepStrictEqual(messages.length, 1, messages.join("\n"));
        assert.match(messages[0], /^kubernetes: the cluster CA \(kubeadm, ten years\) is due .* \(in (99|100) day\(s\)\): no stack-file change renews it/);
    });

    it("warns when the stack turns Kubespray's certificate renewal off: the nodes' certificates then lapse within a year", () => {
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [clusterCommand()], {}), []);
        const [message] = runStackPolicy("key-rotation-due", [clusterCommand(false)], {});
        assert.match(message, /^kubernetes\.autoRenewCertificates: is false: the nodes' kubeadm certificates .* expire one year after the install or the last Kubernetes upgrade/);
    });

    it("warns before an admin client certificate from before the token expires, naming the bump that replaces it with a token", () => {
        const [message, ...rest] = runStackPolicy("key-rotation-due", [kubeconfigCommand()], { asOf: daysAfter(CERTIFICATE_EXPIRY, -3) });
        assert.deepStrictEqual(rest, []);
        assert.match(message, /^operations\.keyRotation\.kubeconfigGeneration: the admin client certificate the program holds \(kubeadm, one year\) is due .* \(in [23] day\(s\)\): bump operations\.keyRotation\.kubeconfigGeneration to 1: the program then holds a ServiceAccount token/);
        assert.match(message, /kubernetes\.autoRenewCertificates: true/);
    });

    it("reads only the newest generation's stamp, and skips a key made in this very update (unknown during preview)", () => {
        assert.strictEqual(runStackPolicy("key-rotation-due", [stamp("age", 0, created), stamp("age", 1, daysAfter(created, 85))], { asOf: daysAfter(created, 85) }).length, 0);
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [stamp("age", 1, unknownStringValue)], { asOf: daysAfter(created, 85) }), []);
    });

    it("says nothing where the stack has no dates (the offline plan: inputs only, no clock)", () => {
        assert.deepStrictEqual(runStackPolicy("key-rotation-due", [{ type: "command:local:Command", name: "dev-ssh-g0-created-at", props: { create: "date -u +%Y-%m-%dT%H:%M:%SZ" } }]), []);
    });
});
