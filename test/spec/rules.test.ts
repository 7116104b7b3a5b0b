import * as assert from "assert";
import { loadClusterSpec, SpecError } from "../../spec";
import { apply, existingConfig, harvesterConfig, issuesOf, openstackConfig, vsphereConfig, type Config } from "../fixtures/configs";


interface Case {
    readonly rule: string;
    readonly base: () => Config;
    /** Changes that keep the config valid: the passing case. */
    readonly pass: Record<string, unknown>;
    /** Changes that break exactly this rule. */
    readonly fail: Record<string, unknown>;
    readonly path: string;
    readonly message: RegExp;
}

const CASES: Case[] = [
    { rule: "DNS-1123 cluster name", base: openstackConfig, pass: { "meta.name": "prod-01" }, fail: { "meta.name": "Prod_01" }, path: "meta.name", message: /DNS-1123 label/ },
    { rule: "reserved cluster name", base: openstackConfig, pass: { "meta.name": "kube" }, fail: { "meta.name": "default" }, path: "meta.name", message: /reserved Kubernetes name/ },
    { rule: "environment enum", base: openstackConfig, pass: { "meta.environment": "staging" }, fail: { "meta.environment": "prod" }, path: "meta.environment", message: /allowed: dev, staging, production/ },
    { rule: "valid CIDR", base: openstackConfig, pass: { "kubernetes.podSubnet": "10.100.0.0/16" }, fail: { "kubernetes.podSubnet": "10.100.0.1/16" }, path: "kubernetes.podSubnet", message: /host bits set; the network is 10.100.0.0\/16/ },
    { rule: "pod/service overlap", base: openstackConfig, pass: { "kubernetes.serviceSubnet": "10.96.0.0/12" }, fail: { "kubernetes.serviceSubnet": "10.42.128.0/17" }, path: "kubernetes.serviceSubnet", message: /overlaps kubernetes.podSubnet/ },
    { rule: "node/pod overlap", base: openstackConfig, pass: { "kubernetes.podSubnet": "10.200.0.0/16" }, fail: { "kubernetes.podSubnet": "10.0.0.0/16" }, path: "kubernetes.podSubnet", message: /overlaps infrastructure.network.subnet/ },
    { rule: "address inside subnet", base: openstackConfig, pass: { "infrastructure.workerPools[0].addresses": ["10.0.0.30", "10.0.0.31"] }, fail: { "infrastructure.workerPools[0].addresses": ["10.0.1.30", "10.0.0.31"] }, path: "infrastructure.workerPools[0].addresses", message: /outside the node subnet/ },
    { rule: "not the gateway", base: openstackConfig, pass: {}, fail: { "infrastructure.controlPlane.addresses": { from: "10.0.0.1", to: "10.0.0.3" } }, path: "infrastructure.controlPlane.addresses.from", message: /is the gateway/ },
    { rule: "not the network address", base: openstackConfig, pass: {}, fail: { "infrastructure.workerPools[0].addresses": ["10.0.0.0", "10.0.0.40"] }, path: "infrastructure.workerPools[0].addresses", message: /network address/ },
    { rule: "not the broadcast address", base: openstackConfig, pass: {}, fail: { "infrastructure.workerPools[0].addresses": ["10.0.0.255", "10.0.0.40"] }, path: "infrastructure.workerPools[0].addresses", message: /broadcast address/ },
    { rule: "unique addresses", base: openstackConfig, pass: {}, fail: { "infrastructure.workerPools[0].addresses": ["10.0.0.40", "10.0.0.40"] }, path: "infrastructure.workerPools[0].addresses", message: /already taken by node t1-w-1/ },
    { rule: "blocks disjoint", base: openstackConfig, pass: {}, fail: { "infrastructure.workerPools[0].addresses": { from: "10.0.0.15", to: "10.0.0.40" } }, path: "infrastructure.workerPools[0].addresses", message: /overlaps infrastructure.controlPlane.addresses/ },
    { rule: "block large enough", base: openstackConfig, pass: { "infrastructure.workerPools[0].count": 40 }, fail: { "infrastructure.workerPools[0].count": 41 }, path: "infrastructure.workerPools[0].addresses", message: /holds 40 address\(es\) but count is 41/ },
    { rule: "VIP not a node", base: openstackConfig, pass: {}, fail: { "infrastructure.network.apiVip": "10.0.0.11" }, path: "infrastructure.network.apiVip", message: /inside infrastructure.controlPlane.addresses/ },
    { rule: "VIP required for kube-vip", base: openstackConfig, pass: {}, fail: { "infrastructure.network.apiVip": undefined }, path: "infrastructure.network.apiVip", message: /required when infrastructure.apiEndpoint.type is kube-vip/ },
    { rule: "odd control plane", base: openstackConfig, pass: { "infrastructure.controlPlane.count": 5 }, fail: { "infrastructure.controlPlane.count": 2 }, path: "infrastructure.controlPlane.count", message: /must be odd/ },
    { rule: "three control-plane nodes in production", base: openstackConfig, pass: { "meta.environment": "production" }, fail: { "meta.environment": "production", "infrastructure.controlPlane.count": 1 }, path: "infrastructure.controlPlane.count", message: /production \(meta.environment\) needs at least 3/ },
    { rule: "unique pool names", base: openstackConfig, pass: {}, fail: { "infrastructure.workerPools[1]": { name: "w", count: 1, size: "m1", addresses: ["10.0.0.60"] } }, path: "infrastructure.workerPools[1].name", message: /already the name of infrastructure.workerPools\[0\]/ },
    { rule: "reserved pool name", base: openstackConfig, pass: {}, fail: { "infrastructure.workerPools[0].name": "cp" }, path: "infrastructure.workerPools[0].name", message: /reserved for the control plane/ },
    { rule: "provider section present", base: openstackConfig, pass: {}, fail: { "infrastructure.openstack": undefined }, path: "infrastructure.openstack", message: /required because infrastructure.provider is "openstack"/ },
    { rule: "no other provider section", base: openstackConfig, pass: {}, fail: { "infrastructure.vsphere": { datacenter: "a", computeCluster: "b", datastore: "c", network: "d", template: "e" } }, path: "infrastructure.vsphere", message: /must not be set when infrastructure.provider is "openstack"/ },
    { rule: "semver versions", base: openstackConfig, pass: { "kubernetes.version": "1.33.1" }, fail: { "kubernetes.version": "v1.33" }, path: "kubernetes.version", message: /semantic version/ },
    { rule: "Kubernetes minor fits Kubespray", base: openstackConfig, pass: { "kubernetes.version": "1.35.0" }, fail: { "kubernetes.version": "1.30.4" }, path: "kubernetes.version", message: /not installable by Kubespray 2.31.0 \(kubespray.version\); allowed: 1.33.x to 1.35.x/ },
    { rule: "known Kubespray release", base: openstackConfig, pass: { "kubespray.version": "2.31.0", "kubernetes.version": "1.34.7" }, fail: { "kubespray.version": "2.29.1" }, path: "kubespray.version", message: /not a Kubespray release this program knows/ },
    { rule: "network mode fits plugin", base: openstackConfig, pass: { "kubernetes.network": { plugin: "cilium", mode: "geneve" } }, fail: { "kubernetes.network": { plugin: "calico", mode: "geneve" } }, path: "kubernetes.network.mode", message: /allowed: vxlan, ipip, none/ },
    { rule: "git URL https or ssh", base: openstackConfig, pass: { gitops: { repository: { url: "ssh://git@github.com/org/repo.git" } }, services: disableSecretServices() }, fail: { gitops: { repository: { url: "http://example.com/org/repo.git" } } }, path: "gitops.repository.url", message: /https:\/\/ or ssh:\/\// },
    { rule: "git URL in a form Flux accepts", base: openstackConfig, pass: { gitops: { repository: { url: "ssh://git@github.com/org/repo.git" } }, services: disableSecretServices() }, fail: { gitops: { repository: { url: "git@github.com:org/repo.git" } } }, path: "gitops.repository.url", message: /write git@host:org\/repo as ssh:\/\/git@host\/org\/repo/ },
    { rule: "git auth matches URL", base: openstackConfig, pass: { gitops: { repository: { url: "ssh://git@github.com/org/repo.git" }, auth: { method: "ssh" } }, services: disableSecretServices() }, fail: { gitops: { repository: { url: "ssh://git@github.com/org/repo.git" }, auth: { method: "token" } } }, path: "gitops.auth.method", message: /does not match gitops.repository.url, which is ssh; allowed: ssh/ },
    { rule: "token required for https", base: openstackConfig, pass: { gitops: { repository: { url: "https://example.com/org/repo.git" } }, "secrets.gitToken": "t0ken", "services": disableSecretServices() }, fail: { gitops: { repository: { url: "https://example.com/org/repo.git" } }, "services": disableSecretServices() }, path: "secrets.gitToken", message: /pulumi config set --secret --path 'secrets.gitToken'/ },
    { rule: "no CHANGEME secrets", base: openstackConfig, pass: { gitops: { repository: { url: "ssh://git@github.com/o/r.git" } }, services: { keycloak: { enabled: false }, headlamp: { enabled: false }, "openstack-ccm": { enabled: false }, "openstack-csi": { enabled: false } }, "secrets.services": { "kube-prometheus-stack": { grafanaAdminPassword: "s3cret" } } }, fail: { gitops: { repository: { url: "ssh://git@github.com/o/r.git" } }, "secrets.services": { "kube-prometheus-stack": { grafanaAdminPassword: "CHANGEME" } } }, path: "secrets.services.kube-prometheus-stack.grafanaAdminPassword", message: /placeholder CHANGEME/ },
    { rule: "service dependencies", base: openstackConfig, pass: { gitops: { repository: { url: "ssh://git@github.com/o/r.git" } }, services: { ...disableSecretServices(), headlamp: { enabled: false }, keycloak: { enabled: false } } }, fail: { gitops: { repository: { url: "ssh://git@github.com/o/r.git" } }, services: { ...disableSecretServices(), "external-snapshotter": { enabled: false } } }, path: "services.velero", message: /needs external-snapshotter, which is disabled \(services.external-snapshotter.enabled\)/ },
    { rule: "host keys for ssh Git hosts other than GitHub", base: openstackConfig, pass: { gitops: { repository: { url: "ssh://git@git.example.com/o/r.git" }, auth: { knownHosts: ["git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"] } }, services: disableSecretServices() }, fail: { gitops: { repository: { url: "ssh://git@git.example.com/o/r.git" } }, services: disableSecretServices() }, path: "gitops.auth.knownHosts", message: /required for an ssh URL on git\.example\.com/ },
    { rule: "known services", base: openstackConfig, pass: {}, fail: { services: { "cert-manger": { enabled: true } } }, path: "services.cert-manger", message: /not a known service; allowed: cert-manager/ },
    { rule: "shell-safe names", base: openstackConfig, pass: { "infrastructure.openstack.image": "ubuntu 24.04 (jammy)" }, fail: { "infrastructure.openstack.image": "ubuntu;rm -rf /" }, path: "infrastructure.openstack.image", message: /may contain only letters, digits/ },
    { rule: "unknown fields", base: openstackConfig, pass: {}, fail: { "infrastructure.controlPlane.cnt": 3 }, path: "infrastructure.controlPlane.cnt", message: /not a known field; did you mean count\? Allowed here: count, size, addresses/ },
    { rule: "sizes known on vSphere", base: vsphereConfig, pass: { "infrastructure.sizes": { huge: { cpus: 32, memoryGiB: 128, diskGiB: 200 } }, "infrastructure.workerPools[0].size": "huge" }, fail: { "infrastructure.workerPools[0].size": "huge" }, path: "infrastructure.workerPools[0].size", message: /not a known size; allowed: large, medium, small, xlarge/ },
    { rule: "no load balancer on vSphere", base: vsphereConfig, pass: {}, fail: { "infrastructure.apiEndpoint.type": "loadbalancer" }, path: "infrastructure.apiEndpoint.type", message: /not available on provider vsphere; allowed: kube-vip/ },
    { rule: "Harvester LB needs a pool", base: harvesterConfig, pass: { "infrastructure.apiEndpoint.type": "loadbalancer", "infrastructure.harvester.loadBalancerPool": { from: "10.10.12.225", to: "10.10.12.230" } }, fail: { "infrastructure.apiEndpoint.type": "loadbalancer" }, path: "infrastructure.harvester.loadBalancerPool", message: /required when infrastructure.apiEndpoint.type is loadbalancer/ },
    { rule: "Harvester kubeconfig secret", base: harvesterConfig, pass: {}, fail: { "secrets.harvesterKubeconfig": undefined }, path: "secrets.harvesterKubeconfig", message: /required because infrastructure.provider is harvester/ },
    { rule: "bastion complete on OpenStack", base: openstackConfig, pass: { "infrastructure.bastion": { enabled: true, size: "m1.small", address: "10.0.0.4" }, "infrastructure.openstack.floatingIpPool": "public" }, fail: { "infrastructure.bastion": { enabled: true, address: "10.0.0.4" }, "infrastructure.openstack.floatingIpPool": "public" }, path: "infrastructure.bastion.size", message: /required when the bastion is enabled on OpenStack/ },
    { rule: "floating IP needs a pool", base: openstackConfig, pass: { "infrastructure.apiEndpoint.floatingIp": true, "infrastructure.openstack.floatingIpPool": "public" }, fail: { "infrastructure.apiEndpoint.floatingIp": true }, path: "infrastructure.openstack.floatingIpPool", message: /required when infrastructure.apiEndpoint.floatingIp is true/ },
    { rule: "OpenStack router needs an external network", base: openstackConfig, pass: { "infrastructure.openstack.externalNetworkId": undefined, "infrastructure.openstack.existingNetwork": { networkId: "n1", subnetId: "s1" } }, fail: { "infrastructure.openstack.externalNetworkId": undefined }, path: "infrastructure.openstack.externalNetworkId", message: /required when the program creates the network/ },
    { rule: "OpenStack DHCP range kept free", base: openstackConfig, pass: {}, fail: { "infrastructure.workerPools[0].addresses": ["10.0.0.200", "10.0.0.201"] }, path: "infrastructure.workerPools[0].addresses", message: /last quarter of 10.0.0.0\/24/ },
    { rule: "existing: control plane from the node list", base: existingConfig, pass: {}, fail: { "infrastructure.controlPlane": { count: 1, size: "x", addresses: ["192.168.1.30"] } }, path: "infrastructure.controlPlane", message: /must not be set with provider existing/ },
    { rule: "existing: interface for kube-vip", base: existingConfig, pass: {}, fail: { "infrastructure.apiEndpoint.interface": undefined }, path: "infrastructure.apiEndpoint.interface", message: /required for existing hosts/ },
    { rule: "existing: unique node names", base: existingConfig, pass: {}, fail: { "infrastructure.existing.nodes[1].name": "cp-a" }, path: "infrastructure.existing.nodes[1].name", message: /node names must be unique/ },
    { rule: "existing: ssh key secret", base: existingConfig, pass: {}, fail: { "secrets.sshPrivateKey": undefined }, path: "secrets.sshPrivateKey", message: /required because infrastructure.provider is existing/ },
    { rule: "node names fit 63 characters", base: openstackConfig, pass: {}, fail: { "meta.name": "a".repeat(55), "infrastructure.workerPools[0].name": "workers" }, path: "infrastructure.workerPools[0]", message: /node names must be at most 63/ },
    { rule: "replacement names a real node", base: openstackConfig, pass: { "operations.replaceNodes": [{ node: "t1-w-2", generation: 1 }] }, fail: { "operations.replaceNodes": [{ node: "t1-w-9", generation: 1 }] }, path: "operations.replaceNodes[0].node", message: /not a node of this cluster; allowed: t1-cp-1/ },
    { rule: "OIDC complete", base: openstackConfig, pass: { "kubernetes.oidc": { enabled: true, issuerUrl: "https://id.example.com/realms/k8s", clientId: "kubernetes" } }, fail: { "kubernetes.oidc": { enabled: true, clientId: "kubernetes" } }, path: "kubernetes.oidc.issuerUrl", message: /required when kubernetes.oidc.enabled is true/ },
    { rule: "backup needs storage", base: openstackConfig, pass: { backup: { enabled: true, storage: { bucket: "b-velero" } }, gitops: { repository: { url: "ssh://git@github.com/o/r.git" } }, services: disableSecretServices(), "secrets.backupAccessKeyId": "a", "secrets.backupSecretAccessKey": "b" }, fail: { backup: { enabled: true }, gitops: { repository: { url: "ssh://git@github.com/o/r.git" } }, services: disableSecretServices(), "secrets.backupAccessKeyId": "a", "secrets.backupSecretAccessKey": "b" }, path: "backup.storage", message: /required when backup.enabled is true/ },
    { rule: "maintenance window time", base: openstackConfig, pass: { "operations.maintenanceWindows": [{ days: ["sat"], start: "22:30", durationMinutes: 120 }] }, fail: { "operations.maintenanceWindows": [{ days: ["sat"], start: "25:00", durationMinutes: 120 }] }, path: "operations.maintenanceWindows[0].start", message: /HH:MM/ },
    { rule: "VLAN range", base: openstackConfig, pass: { "infrastructure.network.vlan": 4094 }, fail: { "infrastructure.network.vlan": 4095 }, path: "infrastructure.network.vlan", message: /at most 4094/ },
];

function disableSecretServices(): Record<string, unknown> {
    return { "kube-prometheus-stack": { enabled: false }, loki: { enabled: false }, tempo: { enabled: false }, keycloak: { enabled: false }, headlamp: { enabled: false }, "openstack-ccm": { enabled: false }, "openstack-csi": { enabled: false } };
}

describe("spec validation rules", () => {
    for (const base of [openstackConfig, vsphereConfig, harvesterConfig, existingConfig]) {
        it(`accepts the ${base.name.replace("Config", "")} base config`, () => {
            assert.deepStrictEqual(issuesOf(base()), []);
        });
    }
    for (const c of CASES) {
        describe(c.rule, () => {
            it("passes", () => assert.deepStrictEqual(issuesOf(apply(c.base(), c.pass)), []));
            it(`fails at ${c.path}`, () => {
                const issues = issuesOf(apply(c.base(), c.fail));
                const hit = issues.find((i) => i.path === c.path && c.message.test(i.message));
                assert.ok(hit, `expected an issue at ${c.path} matching ${c.message}; got:\n${issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`);
            });
        });
    }

    it("reports every problem at once, each with its path", () => {
        const broken = apply(openstackConfig(), {
            "meta.name": "Bad Name", "meta.environment": "qa", "kubernetes.podSubnet": "10.0.0.0/33",
            "infrastructure.controlPlane.count": "three",
        });
        const paths = issuesOf(broken).map((i) => i.path).sort();
        assert.deepStrictEqual(paths, ["infrastructure.controlPlane.count", "kubernetes.podSubnet", "meta.environment", "meta.name"]);
    });

    it("reports cross-field problems in the same pass as shape problems", () => {
        const broken = apply(openstackConfig(), { "meta.environment": "prod", "infrastructure.controlPlane.count": 2, "infrastructure.workerPools[0].labels": { "bad key!": "x" } });
        assert.deepStrictEqual(issuesOf(broken).map((i) => i.path), ["meta.environment", "infrastructure.workerPools[0].labels[\"bad key!\"]", "infrastructure.controlPlane.count"]);
        assert.match(issuesOf(broken)[1].message, /^is not a valid key: must be a Kubernetes label key/);
    });

    it("formats the error as a list naming field paths", () => {
        try {
            loadClusterSpec(apply(openstackConfig(), { "infrastructure.controlPlane.count": 4 }));
            assert.fail("expected a SpecError");
        } catch (error) {
            assert.ok(error instanceof SpecError);
            assert.match(error.message, /^The cluster spec has 1 problem:\n {2}- infrastructure\.controlPlane\.count: is 4; the control plane carries etcd and must be odd/);
        }
    });
});
