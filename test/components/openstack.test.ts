import * as assert from "assert";
import { loadClusterSpec } from "../../spec";
import { securityRules } from "../../components/openstack/security";
import { openstackConfig, withValue } from "../fixtures/configs";
import { diffRuns, infrastructureOnly, named, ofType, runConfig, runStack, strings, urnName } from "../helpers";

const T = {
    port: "openstack:networking/port:Port",
    instance: "openstack:compute/instance:Instance",
    rule: "openstack:networking/secGroupRule:SecGroupRule",
    group: "openstack:networking/secGroup:SecGroup",
    volume: "openstack:blockstorage/volume:Volume",
    attach: "openstack:compute/volumeAttach:VolumeAttach",
    network: "openstack:networking/network:Network",
    subnet: "openstack:networking/subnet:Subnet",
    router: "openstack:networking/router:Router",
    routerInterface: "openstack:networking/routerInterface:RouterInterface",
    fip: "openstack:networking/floatingIp:FloatingIp",
    lb: "openstack:loadbalancer/loadBalancer:LoadBalancer",
    member: "openstack:loadbalancer/member:Member",
    serverGroup: "openstack:compute/serverGroup:ServerGroup",
};

describe("OpenStack infrastructure", () => {
    it("creates the full set of resources for the example stack", async () => {
        const run = await runStack("dev-openstack");
        const count = (type: string) => ofType(run, type).length;
        assert.deepStrictEqual(
            [count(T.network), count(T.subnet), count(T.router), count(T.routerInterface), count(T.group), count(T.instance), count(T.port), count(T.volume), count(T.attach), count(T.fip), count(T.serverGroup)],
            [1, 1, 1, 1, 3, 7, 8, 3, 3, 2, 1],
        );
        const subnet = ofType(run, T.subnet)[0].inputs;
        assert.deepStrictEqual([subnet.cidr, subnet.gatewayIp, subnet.dnsNameservers, subnet.allocationPools], ["10.2.128.0/22", "10.2.128.1", ["10.2.128.2", "10.2.128.3"], [{ start: "10.2.131.0", end: "10.2.131.254" }]]);
        assert.strictEqual(ofType(run, T.router)[0].inputs.externalNetworkId, "0c9d4f8e-8a55-4d0a-9f4b-6f3c2b1a7e10");
        const cp1 = named(run, T.instance, "dev-os-cp-1").inputs as Record<string, any>;
        assert.strictEqual(cp1.flavorName, "gp.4c8g");
        assert.deepStrictEqual(cp1.blockDevices[0], { bootIndex: 0, deleteOnTermination: true, destinationType: "volume", sourceType: "image", uuid: cp1.blockDevices[0].uuid, volumeSize: 60, volumeType: "HA-Performance" });
        assert.deepStrictEqual(cp1.metadata, { cluster: "dev-os", environment: "dev", generation: "0", "managed-by": "pulumi-clusters", organization: "acme", pool: "cp", role: "control-plane" });
        assert.deepStrictEqual(["dev-os-cp-1", "dev-os-cp-2", "dev-os-cp-3"].map((n) => named(run, T.instance, n).inputs.availabilityZone), ["az1", "az2", "az3"]);
        assert.match(String(cp1.userData), /^#cloud-config\nhostname: dev-os-cp-1\n/);
        assert.match(String(cp1.userData), /ssh_authorized_keys:\n\s+- ssh-ed25519 /);
        assert.ok(!/PRIVATE KEY/.test(String(cp1.userData)), "user data holds no private key");
        assert.deepStrictEqual(named(run, T.serverGroup, "dev-os-cp").inputs.policies, ["soft-anti-affinity"]);
        assert.ok(String((cp1.schedulerHints as any[])[0].group).length > 0, "control plane joins its server group");
        const data = named(run, T.volume, "dev-os-general-1-data").inputs;
        assert.deepStrictEqual([data.size, data.availabilityZone], [100, "az1"]);
    });

    it("gives every port exactly the topology's address", async () => {
        const run = await runStack("dev-openstack");
        const { spec } = loadClusterSpec((await import("../../cli/stacks")).loadOfflineStack("dev-openstack").values);
        for (const node of spec.nodes) {
            const port = named(run, T.port, node.name).inputs as any;
            assert.deepStrictEqual(port.fixedIps.map((ip: any) => ip.ipAddress), [node.address]);
        }
        assert.deepStrictEqual((named(run, T.port, "dev-os-api-vip").inputs as any).fixedIps[0].ipAddress, "10.2.128.5");
        assert.deepStrictEqual((named(run, T.port, "dev-os-cp-1").inputs as any).allowedAddressPairs, [{ ipAddress: "10.2.128.5" }]);
        assert.strictEqual((named(run, T.port, "dev-os-general-1").inputs as any).allowedAddressPairs, undefined);
    });

    it("opens exactly the intended security-group rules", () => {
        const { spec } = loadClusterSpec(openstackConfig());
        const described = securityRules(spec).map((r) => `${r.group} <- ${"cidr" in r.from ? r.from.cidr : r.from.group} ${r.protocol ?? "any"}${r.port ?? ""}`);
        assert.deepStrictEqual(described, [
            "control-plane <- control-plane any", "control-plane <- worker any", "control-plane <- 10.0.0.0/24 tcp22",
            "worker <- control-plane any", "worker <- worker any", "worker <- 10.0.0.0/24 tcp22",
            "control-plane <- 10.0.0.0/24 tcp6443",
        ]);
    });

    it("with a bastion, SSH reaches nodes only from it and the bastion only from allowed CIDRs", async () => {
        const run = await runStack("dev-openstack");
        const rules = ofType(run, T.rule).map((r) => r.inputs as any);
        const ssh = rules.filter((r) => r.portRangeMin === 22);
        assert.strictEqual(ssh.filter((r) => r.remoteIpPrefix !== undefined).length, 1);
        assert.strictEqual(ssh.find((r) => r.remoteIpPrefix)?.remoteIpPrefix, "203.0.113.0/24");
        assert.ok(rules.every((r) => r.remoteIpPrefix !== "0.0.0.0/0"), "nothing open to the world");
    });

    it("opens SSH and the API to the world only when allowedCidrs says 0.0.0.0/0", async () => {
        const world = await runConfig(withValue(openstackConfig(), "infrastructure.network.allowedCidrs", ["0.0.0.0/0"]));
        const open = ofType(world, T.rule).map((r) => r.inputs as any).filter((r) => r.remoteIpPrefix === "0.0.0.0/0").map((r) => r.portRangeMin).sort();
        assert.deepStrictEqual(open, [22, 22, 6443]);
        const closed = await runConfig(openstackConfig());
        assert.ok(ofType(closed, T.rule).every((r) => (r.inputs as any).remoteIpPrefix !== "0.0.0.0/0"));
    });

    it("growing one worker pool adds only that pool's resources and changes nothing else", async () => {
        const before = await runStack("dev-openstack");
        const { values } = (await import("../../cli/stacks")).loadOfflineStack("dev-openstack");
        const after = await runConfig(withValue(values, "infrastructure.workerPools[0].count", 5), { stack: "dev-openstack" });
        const diff = diffRuns(before, after, infrastructureOnly);
        assert.deepStrictEqual(diff.removed, []);
        assert.deepStrictEqual(diff.changed, []);
        assert.deepStrictEqual(diff.added.map(urnName).sort(), [
            "dev-os-general-4", "dev-os-general-4", "dev-os-general-4-data", "dev-os-general-4-data", "dev-os-general-4-pins",
            "dev-os-general-5", "dev-os-general-5", "dev-os-general-5-data", "dev-os-general-5-data", "dev-os-general-5-pins",
        ]);
    });

    it("removing a node removes only its resources", async () => {
        const before = await runStack("dev-openstack");
        const { values } = (await import("../../cli/stacks")).loadOfflineStack("dev-openstack");
        const after = await runConfig(withValue(values, "infrastructure.workerPools[0].count", 2), { stack: "dev-openstack" });
        const diff = diffRuns(before, after, infrastructureOnly);
        assert.deepStrictEqual(diff.added, []);
        assert.deepStrictEqual(diff.changed, []);
        assert.deepStrictEqual([...new Set(diff.removed.map(urnName))].sort(), ["dev-os-general-3", "dev-os-general-3-data", "dev-os-general-3-pins"]);
    });

    it("puts the API behind Octavia with one member per control-plane node when asked", async () => {
        const config = withValue(openstackConfig(), "infrastructure.apiEndpoint.type", "loadbalancer");
        const run = await runConfig(config);
        assert.strictEqual(ofType(run, T.lb).length, 1);
        assert.deepStrictEqual(ofType(run, T.member).map((m) => (m.inputs as any).address).sort(), ["10.0.0.10", "10.0.0.11", "10.0.0.12"]);
        assert.strictEqual(ofType(run, "openstack:loadbalancer/listener:Listener")[0].inputs.protocolPort, 6443);
        assert.strictEqual(ofType(run, "openstack:loadbalancer/monitor:Monitor").length, 1);
        assert.ok(!run.resources.some((r) => r.name.endsWith("-api-vip")), "no kube-vip port");
        assert.ok(ofType(run, T.port).every((p) => (p.inputs as any).allowedAddressPairs === undefined));
        // Octavia reaches the members from the node subnet (the amphora's port there; the OVN provider's
        // ovn-lb-hm port for health checks), and the OVN provider keeps the client's address, which the
        // allowed CIDRs (here none beyond the subnet) cover: the API rules stay exactly these.
        const api = ofType(run, T.rule).map((r) => r.inputs as any).filter((r) => r.portRangeMin === 6443);
        assert.deepStrictEqual(api.map((r) => [r.remoteIpPrefix, r.portRangeMax]), [["10.0.0.0/24", 6443]]);
    });

    it("adds a floating IP and a Designate record for the API when asked", async () => {
        let config = withValue(openstackConfig(), "infrastructure.apiEndpoint", { floatingIp: true, dnsName: "api.t1.example.com" });
        config = withValue(config, "infrastructure.openstack.floatingIpPool", "public");
        config = withValue(config, "infrastructure.openstack.designateZoneId", "zone-1");
        const run = await runConfig(config);
        const record = ofType(run, "openstack:dns/recordSet:RecordSet")[0].inputs as any;
        const fip = run.resources.find((r) => r.type === T.fip && r.name === "t1-api")!;
        assert.deepStrictEqual([record.name, record.type, record.zoneId], ["api.t1.example.com.", "A", "zone-1"]);
        assert.match(record.records[0], /^198\.51\.100\./);
        assert.strictEqual(fip.inputs.pool, "public");
    });

    it("reuses an existing network without creating network resources", async () => {
        let config = withValue(openstackConfig(), "infrastructure.openstack.existingNetwork", { networkId: "net-1", subnetId: "sub-1" });
        config = withValue(config, "infrastructure.openstack.externalNetworkId", undefined);
        const run = await runConfig(config);
        assert.deepStrictEqual([T.network, T.subnet, T.router, T.routerInterface].map((t) => ofType(run, t).length), [0, 0, 0, 0]);
        assert.ok(ofType(run, T.port).every((p) => p.inputs.networkId === "net-1"));
    });

    it("recreates a node marked for replacement through its identity and keeps its port", async () => {
        const before = await runConfig(openstackConfig());
        const after = await runConfig(withValue(openstackConfig(), "operations.replaceNodes", [{ node: "t1-w-1", generation: 1 }]));
        const diff = diffRuns(before, after, infrastructureOnly);
        // The instance (its generation metadata) and its pins, whose identity is recorded with them.
        assert.deepStrictEqual(diff.changed.map(urnName), ["t1-w-1", "t1-w-1-pins"]);
        const [old, replaced] = [before, after].map((run) => named(run, T.instance, "t1-w-1"));
        assert.notStrictEqual(replaced.options.replacementTrigger, old.options.replacementTrigger);
        assert.strictEqual(named(after, T.instance, "t1-w-2").options.replacementTrigger, named(before, T.instance, "t1-w-2").options.replacementTrigger);
        assert.strictEqual(replaced.options.deleteBeforeReplace, true);
        assert.deepStrictEqual([replaced.options.replaceOnChanges, replaced.options.ignoreChanges], [[], []]);
    });

    it("opens the NodePort range on workers to Octavia's ports only while the OpenStack cloud controller runs", async () => {
        const { values } = (await import("../../cli/stacks")).loadOfflineStack("dev-openstack");
        const nodePorts = (config: Record<string, unknown>) => securityRules(loadClusterSpec(config).spec).filter((r) => r.port === 30000)
            .map((r) => `${r.group} <- ${"cidr" in r.from ? r.from.cidr : r.from.group} ${r.protocol}${r.port}-${r.portEnd}`);
        // dev-openstack's subnet is 10.2.128.0/22; DHCP (so Octavia's amphora and ovn-lb-hm ports) takes its last quarter.
        assert.deepStrictEqual(nodePorts(values), ["worker <- 10.2.131.0/24 tcp30000-32767", "worker <- 10.2.131.0/24 udp30000-32767"]);
        let existing = withValue(values, "infrastructure.openstack.existingNetwork", { networkId: "net-1", subnetId: "sub-1" });
        existing = withValue(withValue(existing, "infrastructure.openstack.externalNetworkId", undefined), "infrastructure.network.vlan", undefined);
        assert.deepStrictEqual(nodePorts(existing), ["worker <- 10.2.128.0/22 tcp30000-32767", "worker <- 10.2.128.0/22 udp30000-32767"]);
        const withoutCloudController = ["openstack-ccm", "openstack-csi"].reduce((config, service) => withValue(withValue(config, `services.${service}`, { enabled: false }), `secrets.services.${service}`, undefined), values);
        assert.deepStrictEqual(nodePorts(withoutCloudController), []);
        // The fixture has no GitOps, so no platform service and no Service load balancer.
        assert.deepStrictEqual(nodePorts(openstackConfig()), []);
    });

    it("keeps secrets out of every input and takes credentials from provider config only", async () => {
        const run = await runStack("dev-openstack");
        const all = run.resources.flatMap((r) => strings(r.inputs));
        assert.ok(!all.some((s) => /PRIVATE KEY|offline-stand-in/.test(s)));
        assert.ok(!run.resources.some((r) => r.type === "pulumi:providers:openstack" && Object.keys(r.inputs).length > 1));
    });
});
