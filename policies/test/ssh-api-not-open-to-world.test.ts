import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy ssh-api-not-open-to-world", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("ssh-api-not-open-to-world", "openstack:networking/secGroupRule:SecGroupRule", { direction: "ingress", ethertype: "IPv4", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0", description: "SSH from 0.0.0.0/0 (open to the world: infrastructure.network.allowedCidrs)", securityGroupId: "sg" }), []));
    it("fails", () => {
        const messages = runResourcePolicy("ssh-api-not-open-to-world", "openstack:networking/secGroupRule:SecGroupRule", { direction: "ingress", ethertype: "IPv4", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0", description: "SSH from anywhere", securityGroupId: "sg" });
        assert.ok(messages.some((m) => /opens port 22 to the world without the spec asking for it/.test(m)), JSON.stringify(messages));
    });
    it("passes a rule from a private network", () => {
        assert.deepStrictEqual(runResourcePolicy("ssh-api-not-open-to-world", "openstack:networking/secGroupRule:SecGroupRule", { remoteIpPrefix: "10.0.0.0/8", portRangeMin: 22 }), []);
    });
    it("flags a world-open API listener", () => {
        assert.strictEqual(runResourcePolicy("ssh-api-not-open-to-world", "openstack:loadbalancer/listener:Listener", { allowedCidrs: ["0.0.0.0/0"], description: "API" }).length, 1);
    });
});
