import * as assert from "assert";
import { existingConfig } from "../fixtures/configs";
import { runConfig, runStack, strings } from "../helpers";

describe("existing hosts", () => {
    it("turns the listed hosts into the NodeSet without creating machines", async () => {
        const run = await runStack("edge-existing");
        assert.deepStrictEqual(run.outputs.nodes, [
            { address: "192.168.50.11", name: "edge-01-cp-1", pool: "cp", role: "control-plane" },
            { address: "192.168.50.21", name: "edge-01-w-1", pool: "workers", role: "worker" },
            { address: "192.168.50.22", name: "edge-01-w-2", pool: "workers", role: "worker" },
        ]);
        assert.ok(!run.resources.some((r) => /openstack|vsphere|kubevirt/.test(r.type)), "no machines");
        assert.ok(!run.resources.some((r) => r.type.startsWith("tls:") && r.name.includes("-ssh-")), "no generated SSH key: the hosts' own key is used");
    });

    it("keeps the host key out of every input in clear", async () => {
        const run = await runConfig(existingConfig());
        assert.ok(!run.resources.flatMap((r) => strings(r.inputs)).some((s) => s.includes("BEGIN OPENSSH")));
    });
});
