import { podRuleCases } from "./cases";

describe("policy restrict-sysctls", () => {
    podRuleCases("restrict-sysctls", {
        pass: {"pod": {"securityContext": {"runAsNonRoot": true, "sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}}},
        fail: {"pod": {"securityContext": {"runAsNonRoot": true, "sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}},
        message: /sysctl kernel.msgmax is not in the safe set/,
    });
});
