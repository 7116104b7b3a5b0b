import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const containers = [{ name: "c", image: "x:1" }];
const sysctls = (...names: unknown[]) => ({ containers, securityContext: { sysctls: names.map((name) => (name === undefined ? { value: "1" } : { name, value: "1" })) } });

describe("policy restrict-sysctls", () => {
    podRuleCases("restrict-sysctls", {
        pass: { pod: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name: "net.ipv4.tcp_syncookies", value: "1" }] } } },
        fail: { pod: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name: "kernel.msgmax", value: "65536" }] } } },
        message: /sysctl kernel.msgmax is not allowed/,
    });
    describe("rule check-sysctls", () => {
        it("passes the five names of the pinned ruleset, and an entry without a name", () => {
            assert.deepStrictEqual(onPod("restrict-sysctls", sysctls("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", undefined)), []);
        });
        it("flags any other name, the sysctls newer Pod Security Standards added included", () => {
            assert.deepStrictEqual(onPod("restrict-sysctls", sysctls("net.ipv4.tcp_syncookies", "kernel.msgmax", "net.ipv4.tcp_keepalive_time")), [
                "spec.securityContext.sysctls[1].name (check-sysctls)", "spec.securityContext.sysctls[2].name (check-sysctls)",
            ]);
        });
    });
});
