import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT, STACKS_DIR } from "../../cli/stacks";

function runPlan(stack: string) {
    return spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "plan.js"), "--stack", stack], {
        cwd: PROJECT_ROOT, encoding: "utf8",
    });
}

describe("npm run plan", () => {
    const broken = path.join(STACKS_DIR, "Pulumi.zz-broken-test.yaml");
    after(() => fs.rmSync(broken, { force: true }));

    it("prints every problem of a broken stack with its path and exits non-zero", () => {
        fs.writeFileSync(broken, [
            "config:",
            "  clusters:meta: {name: Broken_Name, environment: prod}",
            "  clusters:kubernetes: {version: 1.20.1, podSubnet: 10.42.0.0/33}",
            "  clusters:infrastructure:",
            "    provider: openstack",
            "    network: {subnet: 10.0.0.0/24, gateway: 10.0.0.1, dnsServers: [10.0.0.2], apiVip: 10.0.0.5}",
            "    controlPlane: {count: 2, size: m1, addresses: {from: 10.0.0.10, to: 10.0.0.19}}",
            "    openstack: {image: ubuntu, externalNetworkId: ext}",
            "",
        ].join("\n"));
        const result = runPlan("zz-broken-test");
        assert.strictEqual(result.status, 1, result.stderr);
        // A malformed meta.name no longer hides the rules that relate fields (issue 15 item 16).
        assert.match(result.stderr, /stacks\/Pulumi\.zz-broken-test\.yaml: The cluster spec has 5 problems:/);
        assert.match(result.stderr, /- infrastructure\.controlPlane\.count: is 2; the control plane carries etcd and must be odd/);
        assert.match(result.stderr, /- kubernetes\.version: 1\.20\.1 is not installable by Kubespray 2\.31\.0/);
        assert.match(result.stderr, /- meta\.name: must be a DNS-1123 label/);
        assert.match(result.stderr, /- meta\.environment: is "prod"; allowed: dev, staging, production/);
        assert.match(result.stderr, /- kubernetes\.podSubnet: must have a prefix length from 0 to 32/);
    });

    it("names the known stacks when the stack does not exist", () => {
        const result = runPlan("no-such-stack");
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /no stack file stacks\/Pulumi\.no-such-stack\.yaml; stacks here: dev-openstack, edge-existing, enclave-harvester, prod-vsphere/);
    });

    it("writes the example's out/ files and a summary", () => {
        const result = runPlan("edge-existing");
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /Stack edge-existing: cluster edge-01 \(staging\) on existing, Kubernetes 1\.33\.7/);
        assert.ok(fs.existsSync(path.join(PROJECT_ROOT, "out", "edge-existing", "resources.json")));
    });
});
