import { podRuleCases } from "./cases";

describe("policy disallow-selinux", () => {
    podRuleCases("disallow-selinux", {
        pass: {"container": {"securityContext": {"seLinuxOptions": {"type": "container_t"}}}},
        fail: {"container": {"securityContext": {"seLinuxOptions": {"type": "spc_t"}}}},
        message: /SELinux type spc_t is not allowed/,
    });
});
