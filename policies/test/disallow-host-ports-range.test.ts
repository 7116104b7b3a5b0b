import * as assert from "assert";
import { findings, onPod, podRuleCases, podSpec, wrap } from "./cases";

const c = (ports: unknown) => ({ name: "c", image: "x:1", ports });

describe("policy disallow-host-ports-range", () => {
    podRuleCases("disallow-host-ports-range", {
        pass: { container: { ports: [{ containerPort: 80, hostPort: 5500 }] } },
        fail: { container: { ports: [{ containerPort: 80, hostPort: 80 }] } },
        message: /hostPort 80 is outside 5000-6000/,
    });
    describe("rule host-port-range", () => {
        it("passes ports without hostPort and hostPorts within the range, ends included", () => {
            assert.deepStrictEqual(onPod("disallow-host-ports-range", { containers: [c([{ containerPort: 80 }, { containerPort: 1, hostPort: 5000 }, { containerPort: 2, hostPort: 6000 }])] }), []);
        });
        it("flags hostPorts outside the range in every list, 0 included (it is not in 5000-6000)", () => {
            assert.deepStrictEqual(onPod("disallow-host-ports-range", { containers: [c([{ containerPort: 1, hostPort: 0 }])], initContainers: [c([{ containerPort: 1, hostPort: 4999 }])], ephemeralContainers: [c([{ containerPort: 1, hostPort: 6001 }])] }), [
                "spec.containers[0].ports[0].hostPort (host-port-range)", "spec.initContainers[0].ports[0].hostPort (host-port-range)", "spec.ephemeralContainers[0].ports[0].hostPort (host-port-range)",
            ]);
        });
        it("takes the range from config", () => {
            const object = wrap("Deployment", podSpec({ ports: [{ containerPort: 80, hostPort: 80 }] }));
            assert.deepStrictEqual(findings("disallow-host-ports-range", object, { minPort: 1, maxPort: 1024 }), []);
        });
    });
});
