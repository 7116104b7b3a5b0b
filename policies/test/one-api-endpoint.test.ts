import * as assert from "assert";
import { runStackPolicy } from "./harness";
import { clusterCommand } from "./stack-fixtures";

describe("policy one-api-endpoint", () => {
    it("passes", () => assert.deepStrictEqual(runStackPolicy("one-api-endpoint", [clusterCommand(["a"]), { type: "openstack:networking/port:Port", name: "c-api-vip", props: {} }]), []));
    it("fails", () => {
        const messages = runStackPolicy("one-api-endpoint", [clusterCommand(["a"]), { type: "openstack:networking/port:Port", name: "c-api-vip", props: {} }, { type: "openstack:loadbalancer/loadBalancer:LoadBalancer", name: "c-api", props: {} }]);
        assert.ok(messages.some((m) => /keep one/.test(m)), JSON.stringify(messages));
    });
});
