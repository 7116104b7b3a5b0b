import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (seLinuxOptions: unknown) => ({ name: "c", image: "x:1", securityContext: { seLinuxOptions } });

describe("policy disallow-selinux", () => {
    podRuleCases("disallow-selinux", {
        pass: { container: { securityContext: { seLinuxOptions: { type: "container_t", level: "s0:c123,c456" } } } },
        fail: { container: { securityContext: { seLinuxOptions: { type: "spc_t" } } } },
        message: /SELinux type spc_t is not allowed/,
    });
    describe("rule selinux-type", () => {
        it("passes the three container types, on the pod and on containers", () => {
            assert.deepStrictEqual(onPod("disallow-selinux", { securityContext: { seLinuxOptions: { type: "container_init_t" } }, containers: [c({ type: "container_t" }), c({ type: "container_kvm_t" }), c({ level: "s0" })] }), []);
        });
        it("flags any other type, the empty string and container_engine_t included (not in the pinned ruleset)", () => {
            assert.deepStrictEqual(onPod("disallow-selinux", { securityContext: { seLinuxOptions: { type: "spc_t" } }, containers: [c({ type: "" })], initContainers: [c({ type: "container_engine_t" })] }), [
                "spec.securityContext.seLinuxOptions.type (selinux-type)",
                "spec.containers[0].securityContext.seLinuxOptions.type (selinux-type)",
                "spec.initContainers[0].securityContext.seLinuxOptions.type (selinux-type)",
            ]);
        });
    });
    describe("rule selinux-user-role", () => {
        it("flags user and role whenever they are present, empty or not", () => {
            assert.deepStrictEqual(onPod("disallow-selinux", { securityContext: { seLinuxOptions: { user: "system_u" } }, containers: [c({ role: "" })], ephemeralContainers: [c({ user: "u", role: "r" })] }), [
                "spec.securityContext.seLinuxOptions.user (selinux-user-role)",
                "spec.containers[0].securityContext.seLinuxOptions.role (selinux-user-role)",
                "spec.ephemeralContainers[0].securityContext.seLinuxOptions.user (selinux-user-role)",
                "spec.ephemeralContainers[0].securityContext.seLinuxOptions.role (selinux-user-role)",
            ]);
        });
    });
});
