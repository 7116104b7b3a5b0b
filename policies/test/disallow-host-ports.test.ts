import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (ports: unknown) => ({ name: "c", image: "x:1", ports });

describe("policy disallow-host-ports", () => {
    podRuleCases("disallow-host-ports", {
        pass: { container: { ports: [{ containerPort: 80, hostPort: 0 }] } },
        fail: { container: { ports: [{ containerPort: 80, hostPort: 8080 }] } },
        message: /hostPort 8080 must be unset or 0/,
    });
    describe("rule host-ports-none", () => {
        it("passes ports without hostPort or with hostPort 0", () => {
            assert.deepStrictEqual(onPod("disallow-host-ports", { containers: [c([{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }])] }), []);
        });
        it("flags any other hostPort in every container list", () => {
            assert.deepStrictEqual(onPod("disallow-host-ports", {
                containers: [c([{ containerPort: 80 }, { containerPort: 443, hostPort: 443 }])],
                initContainers: [c([{ containerPort: 1, hostPort: 1 }])],
                ephemeralContainers: [c([{ containerPort: 2, hostPort: 5000 }])],
            }), [
                "spec.containers[0].ports[1].hostPort (host-ports-none)", "spec.initContainers[0].ports[0].hostPort (host-ports-none)", "spec.ephemeralContainers[0].ports[0].hostPort (host-ports-none)",
            ]);
        });
    });
});
