import * as assert from "assert";
import { runStackPolicy } from "./harness";
import { machine } from "./stack-fixtures";

describe("policy control-plane-anti-affinity", () => {
    it("passes", () => assert.deepStrictEqual(runStackPolicy("control-plane-anti-affinity", [machine("a", "g1"), machine("b", "g1"), { type: "openstack:compute/serverGroup:ServerGroup", name: "c-cp", props: { policies: ["soft-anti-affinity"] } }]), []));
    it("fails", () => {
        const messages = runStackPolicy("control-plane-anti-affinity", [machine("a"), machine("b")]);
        assert.ok(messages.some((m) => /is in no anti-affinity server group/.test(m)), JSON.stringify(messages));
    });
    it("needs a DRS rule on vSphere", () => {
        const vm = (name: string) => ({ type: "vsphere:index/virtualMachine:VirtualMachine", name, props: { name, annotation: "cluster=c\nrole=control-plane" } });
        assert.ok(runStackPolicy("control-plane-anti-affinity", [vm("a"), vm("b")]).some((m) => /DRS anti-affinity rule/.test(m)));
        const rule = { type: "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule", name: "r", props: { virtualMachineIds: ["a", "b"] } };
        assert.deepStrictEqual(runStackPolicy("control-plane-anti-affinity", [vm("a"), vm("b"), rule]), []);
    });
});
