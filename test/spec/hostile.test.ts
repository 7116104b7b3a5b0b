/**
 * Regression tests for issue 15 (hostile and careless input), each with the exact input the issue gives.
 * Every refusal must be a SpecError naming the field path; nothing may throw anything else.
 */
import * as assert from "assert";
import { loadClusterSpec, projectConfigValues, readStackFile, SpecError, withSecretStandIns, type SpecIssue } from "../../spec";
import { apply, existingConfig, harvesterConfig, issuesOf, openstackConfig, vsphereConfig, withValue, type Config } from "../fixtures/configs";


function assertIssue(issues: readonly SpecIssue[], path: string, message: RegExp): void {
    const hit = issues.find((issue) => issue.path === path && message.test(issue.message));
    assert.ok(hit, `expected an issue at ${path} matching ${message}; got:\n${issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`);
}

/** A stack file's config, read as `npm run plan` reads it. */
function fromStackFile(lines: string[]): Config {
    return withSecretStandIns(readStackFile(["config:", ...lines, ""].join("\n")).values).values;
}

const GITOPS = { repository: { url: "ssh://git@github.com/acme/gitops.git" } };
const NO_SECRET_SERVICES = { "kube-prometheus-stack": { enabled: false }, loki: { enabled: false }, tempo: { enabled: false }, keycloak: { enabled: false }, headlamp: { enabled: false }, "openstack-ccm": { enabled: false }, "openstack-csi": { enabled: false } };

describe("hostile and careless stack files (issue 15)", () => {
    describe("item 4: kubespray.runner.image takes image references only", () => {
        for (const image of ["-v/:/host", "--privileged", "../..", "x".repeat(5000), "quay.io/kubespray/kubespray:v2.31.0 --privileged", "Quay.io/Kubespray"]) {
            it(`refuses ${JSON.stringify(image.slice(0, 40))}`, () => {
                const issues = issuesOf(withValue(openstackConfig(), "kubespray.runner", { type: "container", image }));
                assert.ok(issues.some((issue) => issue.path === "kubespray.runner.image"), JSON.stringify(issues));
            });
        }
        for (const image of ["quay.io/kubespray/kubespray:v2.31.0", "registry.example.com:5000/mirror/kubespray@sha256:" + "a".repeat(64), "kubespray"]) {
            it(`accepts ${image.slice(0, 50)}`, () => {
                assert.deepStrictEqual(issuesOf(withValue(openstackConfig(), "kubespray.runner", { type: "container", image })), []);
            });
        }
    });

    describe("item 6: no user key reaches Object.prototype", () => {
        afterEach(() => {
            assert.strictEqual(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
            assert.deepStrictEqual(Object.keys(Object.prototype), []);
        });

        it('refuses secrets.services.<svc>."__proto__.polluted" with a path, not a TypeError', () => {
            const config = fromStackFile([
                "  clusters:meta: {name: t1}",
                "  clusters:infrastructure: {provider: openstack, network: {subnet: 10.0.0.0/24, gateway: 10.0.0.1, dnsServers: [10.0.0.2], apiVip: 10.0.0.5}, controlPlane: {count: 3, size: m1, addresses: {from: 10.0.0.10, to: 10.0.0.19}}, openstack: {image: ubuntu, externalNetworkId: ext}}",
                "  clusters:gitops: {repository: {url: 'ssh://git@github.com/acme/gitops.git'}}",
                "  clusters:secrets:",
                "    services:",
                "      kube-prometheus-stack:",
                "        grafanaAdminPassword: s3cret-value",
                "        __proto__.polluted: yes-really",
            ]);
            assertIssue(issuesOf(config), 'secrets.services.kube-prometheus-stack["__proto__.polluted"]', /must not use a name every JavaScript object already has/);
        });

        for (const size of ["constructor", "toString", "valueOf", "hasOwnProperty"]) {
            for (const base of [vsphereConfig, harvesterConfig]) {
                it(`refuses size: ${size} on ${base.name.replace("Config", "")}`, () => {
                    assertIssue(issuesOf(withValue(base(), "infrastructure.workerPools[0].size", size)), "infrastructure.workerPools[0].size", /is not a known size/);
                });
            }
        }

        it("refuses services.constructor instead of ignoring it", () => {
            assertIssue(issuesOf(withValue(openstackConfig(), "services", { constructor: { enabled: true } })), "services.constructor", /is not a known service; allowed: cert-manager/);
        });

        it("refuses inherited names as size names and a __proto__ key anywhere", () => {
            assertIssue(issuesOf(withValue(vsphereConfig(), "infrastructure.sizes", { constructor: { cpus: 1, memoryGiB: 1, diskGiB: 10 } })), "infrastructure.sizes.constructor", /every JavaScript object already has/);
            const config = { ...openstackConfig(), services: JSON.parse('{"cert-manager": {"values": {"a": {"__proto__": {"polluted": true}}}}}') };
            assertIssue(issuesOf(config), "services.cert-manager.values.a.__proto__", /not allowed as a key anywhere/);
            assertIssue(issuesOf({ ...openstackConfig(), ...JSON.parse('{"__proto__": {"paused": true}}') }), "__proto__", /not allowed as a key anywhere/);
            assertIssue(issuesOf(JSON.parse(JSON.stringify(openstackConfig()).replace('"meta":{', '"meta":{"__proto__":{"x":1},'))), "meta.__proto__", /not allowed/);
        });
    });

    describe("item 7: the cluster's size is bounded up front", () => {
        it("refuses more than 3,000 workers in all pools together", () => {
            const pools = [0, 1, 2, 3].map((i) => ({ name: `p${i}`, count: 800, size: "m1", addresses: { from: `10.${i + 1}.0.1`, to: `10.${i + 1}.3.254` } }));
            const config = apply(openstackConfig(), {
                "infrastructure.network": { subnet: "10.0.0.0/8", gateway: "10.0.0.1", dnsServers: ["10.0.0.2"], apiVip: "10.0.0.5" },
                "infrastructure.workerPools": pools, "kubernetes.podSubnet": "100.64.0.0/12", "kubernetes.serviceSubnet": "100.96.0.0/16",
            });
            assertIssue(issuesOf(config), "infrastructure.workerPools", /hold 3,200 workers in all; a cluster may have at most 3,000/);
        });

        it("refuses more than 1,000 nodes in a pool and more than 50 pools", () => {
            assertIssue(issuesOf(withValue(openstackConfig(), "infrastructure.workerPools[0].count", 1001)), "infrastructure.workerPools[0].count", /must be at most 1000/);
            const pools = Array.from({ length: 51 }, (_, i) => ({ name: `p${i}`, count: 0, size: "m1", addresses: [`10.0.0.${100 + i}`] }));
            assertIssue(issuesOf(withValue(openstackConfig(), "infrastructure.workerPools", pools)), "infrastructure.workerPools", /must list at most 50 item/);
        });
    });

    describe("item 8: bounded sizes everywhere", () => {
        it("refuses a 100,000-key services.values map, naming the limit", () => {
            const values = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
            assertIssue(issuesOf(apply(openstackConfig(), { gitops: GITOPS, services: { ...NO_SECRET_SERVICES, "cert-manager": { values } } })), "services.cert-manager.values", /more than 10,000 entries/);
        });

        it("reads 100,000 unknown keys in meta from YAML in linear time and refuses them with the limit", () => {
            const keys = Array.from({ length: 100_000 }, (_, i) => `    k${i}: ${i}`);
            const file = readStackFile(["config:", "  clusters:meta:", "    name: t1", ...keys, ""].join("\n"));
            assert.deepStrictEqual(issuesOf({ ...openstackConfig(), meta: file.values.meta }), [
                { path: "meta", message: "holds more than 100,000 entries (keys and list items at every level); a stack file is not a database" },
            ]);
        });

        it("lists at most 100 of many problems and says how many more there are", () => {
            const meta = Object.fromEntries([["name", "t1"], ...Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])]);
            const error = (() => {
                try {
                    loadClusterSpec({ ...openstackConfig(), meta });
                    return undefined;
                } catch (e) {
                    return e;
                }
            })();
            assert.ok(error instanceof SpecError);
            assert.match(error.message, /^The cluster spec has 20000 problems:\n {2}- meta\.k0: is not a known field/);
            assert.match(error.message, /\n {2}… and 19900 more$/);
        });

        it("refuses a 5,000-character NTP host, workDir and path with the field's limit", () => {
            const long = "a".repeat(5000);
            const issues = issuesOf(apply(openstackConfig(), {
                "infrastructure.network.ntpServers": [long], "kubespray.runner": { workDir: long }, gitops: { repository: { url: "ssh://git@github.com/a/b.git", path: long } },
                services: NO_SECRET_SERVICES,
            }));
            assertIssue(issues, "infrastructure.network.ntpServers[0]", /must be at most 253 characters/);
            assertIssue(issues, "kubespray.runner.workDir", /must be at most 255 characters/);
            assertIssue(issues, "gitops.repository.path", /must be at most 255 characters/);
        });

        it("refuses a values entry over Kubernetes' 1 MiB Secret cap, and a 20 MB one", () => {
            for (const size of [1024 * 1024 + 1, 20 * 1024 * 1024]) {
                const config = apply(openstackConfig(), { gitops: GITOPS, services: { ...NO_SECRET_SERVICES, "cert-manager": { values: { dashboard: "x".repeat(size), replicas: 2 } } } });
                assertIssue(issuesOf(config), "services.cert-manager.values.dashboard", /Kubernetes Secret, which holds at most 1,024 KiB/);
            }
            const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, "y".repeat(120 * 1024)]));
            assertIssue(issuesOf(apply(openstackConfig(), { gitops: GITOPS, services: { ...NO_SECRET_SERVICES, "cert-manager": { values: many } } })), "services.cert-manager.values", /as YAML; .*caps a Secret at 1,024 KiB/);
        });

        it("bounds the stack file itself: size, aliases, duplicate keys, with line numbers and no file text", () => {
            assert.throws(() => readStackFile(`config:\n  clusters:meta: {name: "${"a".repeat(5 * 1024 * 1024)}"}\n`), /is 5\.0 MiB; a stack file may be at most 4 MiB/);
            const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`), "config: *i", ""].join("\n");
            assert.throws(() => readStackFile(bomb), /at most 50 aliases/);
            assert.throws(() => readStackFile("config:\n  clusters:meta: {name: t1}\n  clusters:meta: {name: t2}\n"), /line 3, column 3: the key "clusters:meta" appears twice/);
            try {
                readStackFile("config:\n  clusters:secrets: {gitToken: \"unterminated s3cr3t-token\n");
                assert.fail("expected a YAML error");
            } catch (error) {
                assert.ok(error instanceof SpecError);
                assert.match(error.message, /line \d+, column \d+/);
                assert.doesNotMatch(error.message, /s3cr3t/);
            }
        });
    });

    describe("item 9: gitops.repository.path cannot collide with the scaffold", () => {
        for (const path of ["README.md", ".sops.yaml", "a".repeat(5000), "clusters/../..", ".git/hooks", "clusters/prod/kustomization.yaml", "applications/overlays/t1", "applications/overlays/t1/managed-services"]) {
            it(`refuses ${JSON.stringify(path.slice(0, 40))}`, () => {
                const issues = issuesOf(apply(openstackConfig(), { gitops: { repository: { url: "ssh://git@github.com/a/b.git", path } }, services: NO_SECRET_SERVICES }));
                assert.ok(issues.some((issue) => issue.path === "gitops.repository.path"), JSON.stringify(issues));
            });
        }
        it("accepts a directory path", () => {
            assert.deepStrictEqual(issuesOf(apply(openstackConfig(), { gitops: { repository: { url: "ssh://git@github.com/a/b.git", path: "clusters/prod_1.eu" } }, services: NO_SECRET_SERVICES })), []);
        });
    });

    describe("item 10: accepted but wrong is refused with a field path", () => {
        it("duplicate dataVolume names in a pool", () => {
            const config = withValue(openstackConfig(), "infrastructure.workerPools[0].dataVolumes", [{ name: "data", sizeGiB: 10 }, { name: "data", sizeGiB: 20 }]);
            assertIssue(issuesOf(config), "infrastructure.workerPools[0].dataVolumes[1].name", /already the name of infrastructure\.workerPools\[0\]\.dataVolumes\[0\]/);
        });

        it("data volume names that join into another node's volume name, or that the VM reserves", () => {
            const config = apply(openstackConfig(), {
                "infrastructure.workerPools": [
                    { name: "w", count: 1, size: "m1", addresses: ["10.0.0.30"], dataVolumes: [{ name: "a-2-b", sizeGiB: 1 }] },
                    { name: "w-1-a", count: 2, size: "m1", addresses: ["10.0.0.31", "10.0.0.32"], dataVolumes: [{ name: "b", sizeGiB: 1 }] },
                ],
            });
            assertIssue(issuesOf(config), "infrastructure.workerPools[1].dataVolumes[0].name", /makes the volume t1-w-1-a-2-b for node t1-w-1-a-2/);
            assertIssue(issuesOf(withValue(harvesterConfig(), "infrastructure.workerPools[0].dataVolumes", [{ name: "rootdisk", sizeGiB: 10 }])), "infrastructure.workerPools[0].dataVolumes[0].name", /reserved: rootdisk/);
        });

        it("duplicate backup schedule names", () => {
            const config = apply(openstackConfig(), {
                gitops: GITOPS, services: NO_SECRET_SERVICES, "secrets.backupAccessKeyId": "a", "secrets.backupSecretAccessKey": "b",
                backup: { enabled: true, storage: { bucket: "velero-t1" }, schedules: [{ name: "daily", cron: "0 1 * * *" }, { name: "daily", cron: "0 2 * * *" }] },
            });
            assertIssue(issuesOf(config), "backup.schedules[1].name", /already the name of backup\.schedules\[0\]/);
        });

        it("apiVip or the bastion equal to a DNS server", () => {
            assertIssue(issuesOf(withValue(openstackConfig(), "infrastructure.network.apiVip", "10.0.0.2")), "infrastructure.network.apiVip", /already taken by the DNS server infrastructure\.network\.dnsServers\[0\]/);
            const bastion = apply(openstackConfig(), { "infrastructure.bastion": { enabled: true, size: "m1", address: "10.0.0.2" }, "infrastructure.openstack.floatingIpPool": "public" });
            assertIssue(issuesOf(bastion), "infrastructure.bastion.address", /already taken by the DNS server/);
        });

        it("the bastion inside the control plane's reserved block", () => {
            const config = apply(openstackConfig(), { "infrastructure.bastion": { enabled: true, size: "m1", address: "10.0.0.15" }, "infrastructure.openstack.floatingIpPool": "public" });
            assertIssue(issuesOf(config), "infrastructure.bastion.address", /lies inside infrastructure\.controlPlane\.addresses, which is reserved for nodes/);
        });

        it("a /24 pod subnet with /26 node ranges for 93 nodes", () => {
            const config = apply(openstackConfig(), {
                "kubernetes.podSubnet": "10.42.0.0/24", "kubernetes.nodePrefix": 26,
                "infrastructure.workerPools[0]": { name: "w", count: 90, size: "m1", addresses: { from: "10.0.0.20", to: "10.0.0.150" } },
            });
            // Calico (the default) hands out /26 blocks itself; the other plugins use the node ranges.
            assertIssue(issuesOf(config), "kubernetes.podSubnet", /10\.42\.0\.0\/24 holds 4 of Calico's \/26 address blocks, but the cluster has 93 nodes/);
            const cilium = withValue(config, "kubernetes.network", { plugin: "cilium" });
            assertIssue(issuesOf(cilium), "kubernetes.nodePrefix", /give 4 nodes a pod range, but the cluster has 93 nodes/);
            assertIssue(issuesOf(cilium), "kubernetes.nodePrefix", /fewer than the kubelet's 110 pods; with cilium Kubespray requires at most \/25/);
        });

        it("serviceSubnet /30 is too small and says the minimum and why", () => {
            assertIssue(issuesOf(withValue(openstackConfig(), "kubernetes.serviceSubnet", "10.43.0.0/30")), "kubernetes.serviceSubnet", /holds 2 Service addresses; use \/24 or wider: Kubespray takes the first address for the API and the third for CoreDNS/);
            assertIssue(issuesOf(withValue(openstackConfig(), "kubernetes.serviceSubnet", "10.0.0.0/8")), "kubernetes.serviceSubnet", /the prefix must be \/12 or longer/);
        });

        for (const cron of ["a b c d e", "99 99 99 99 99", "0 0 31 2 *", "0 0 L * *", "0 1 * * 7", "0 1 * *"]) {
            it(`invalid cron ${JSON.stringify(cron)}`, () => {
                assertIssue(issuesOf(withValue(openstackConfig(), "operations.drift.schedule", cron)), "operations.drift.schedule", /cron|never runs|day of week|field/);
            });
        }

        it("a worker in pool cp on existing hosts, and a pool with two roles", () => {
            assertIssue(issuesOf(withValue(existingConfig(), "infrastructure.existing.nodes[1].pool", "cp")), "infrastructure.existing.nodes[1].pool", /"cp" is reserved for the control plane/);
            const mixed = withValue(existingConfig(), "infrastructure.existing.nodes[1].pool", "control-plane-pool");
            assertIssue(issuesOf(withValue(mixed, "infrastructure.existing.nodes[0].pool", "control-plane-pool")), "infrastructure.existing.nodes[1].pool", /already holds control-plane nodes/);
        });

        it("misspelled namespaces: Clusters:operations and cluster:meta are refused, not dropped (paused: true is kept)", () => {
            const config = fromStackFile([
                "  clusters:meta: {name: t1}",
                "  Clusters:operations: {paused: true}",
                "  cluster:meta: {name: t2}",
                "  clusters:operation: {paused: true}",
                "  openstack:region: RegionOne",
            ]);
            const issues = issuesOf({ ...openstackConfig(), ...config, meta: { name: "t1" } });
            assertIssue(issues, "Clusters:operations", /has the namespace "Clusters", which is not "clusters"; write clusters:operations/);
            assertIssue(issues, "cluster:meta", /write clusters:meta/);
            assertIssue(issues, "operation", /is not a known field; did you mean operations\? Allowed here: meta, kubernetes/);
            assert.ok(!issues.some((issue) => issue.path.startsWith("openstack")), "other namespaces are not ours");
            // The program reads the engine's config the same way.
            const engine = projectConfigValues({ "clusters:meta": "{}", "Clusters:operations": "{\"paused\":true}", "vsphere:user": "u" });
            assert.deepStrictEqual(Object.keys(engine.values).sort(), ["Clusters:operations", "meta"]);
        });

        it("garbage knownHosts and authorized keys", () => {
            const config = apply(openstackConfig(), {
                gitops: { repository: { url: "ssh://git@git.example.com/o/r.git" }, auth: { knownHosts: ["git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample", "git.example.com ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"] } },
                services: NO_SECRET_SERVICES, "infrastructure.ssh.authorizedKeys": ["ssh-ed25519 bm90IGEga2V5 me@host"],
            });
            const issues = issuesOf(config);
            assertIssue(issues, "gitops.auth.knownHosts[0]", /truncated ssh-ed25519 key/);
            assertIssue(issues, "gitops.auth.knownHosts[1]", /encoded type is not ssh-rsa/);
            assertIssue(issues, "infrastructure.ssh.authorizedKeys[0]", /encoded type is not ssh-ed25519/);
        });

        it("secrets for services that do not exist or are not enabled", () => {
            const config = apply(openstackConfig(), { gitops: GITOPS, services: NO_SECRET_SERVICES, "secrets.services": { "cert-manger": { token: "x" }, harbor: { adminPassword: "y" } } });
            const issues = issuesOf(config);
            assertIssue(issues, "secrets.services.cert-manger", /is not a known service/);
            assertIssue(issues, "secrets.services.harbor", /services\.harbor is not enabled/);
        });
    });

    describe("item 12: a secret value is never echoed", () => {
        const values: unknown[] = [987654321, true, 31337.5, ["hunter2-list"], { nested: "hunter2-object" }, "x".repeat(70_000)];
        for (const value of values) {
            it(`not for ${typeof value} values`, () => {
                for (const path of ["secrets.gitToken", "secrets.services.keycloak.adminPassword"]) {
                    const issues = issuesOf(withValue(openstackConfig(), path, value));
                    const text = issues.map((issue) => `${issue.path}: ${issue.message}`).join("\n");
                    assert.ok(issues.some((issue) => issue.path === path), text);
                    // A boolean's text is a common word: for it, only the distinctive values are looked for.
                    const distinctive = typeof value === "boolean" ? [] : [String(value), JSON.stringify(value)];
                    for (const shown of [...distinctive, "hunter2", "xxxxxxxxxx"]) {
                        assert.ok(!text.includes(shown), `${path} echoed ${shown.slice(0, 20)}: ${text}`);
                    }
                }
            });
        }

        it("not when the engine hands secrets over as text that is not JSON", () => {
            const issues = issuesOf({ ...openstackConfig(), secrets: "{\"gitToken\": \"s3cr3t-value\"" });
            assertIssue(issues, "secrets", /must be an object, not a string \(the value is a secret and is not shown\)/);
            assert.ok(!JSON.stringify(issues).includes("s3cr3t"));
        });

        it("and says how to store digits as a string", () => {
            assertIssue(issuesOf(withValue(openstackConfig(), "secrets.gitToken", 123456)), "secrets.gitToken", /--type string/);
        });
    });

    describe("item 16: the one-pass report is complete and correct", () => {
        it("a malformed meta.name does not hide quorum, overlaps or duplicate addresses", () => {
            const issues = issuesOf(apply(openstackConfig(), {
                "meta.name": "Dev_OS", "infrastructure.controlPlane.count": 2, "kubernetes.podSubnet": "10.0.0.0/16",
                "infrastructure.workerPools[0].addresses": ["10.0.0.40", "10.0.0.40"],
            }));
            assertIssue(issues, "meta.name", /DNS-1123 label/);
            assertIssue(issues, "infrastructure.controlPlane.count", /must be odd/);
            assertIssue(issues, "kubernetes.podSubnet", /overlaps infrastructure\.network\.subnet/);
            assertIssue(issues, "infrastructure.workerPools[0].addresses", /10\.0\.0\.40 is already taken by node dev-os-w-1/);
        });

        it("a malformed required field inside a pool does not hide the other pools' problems", () => {
            const issues = issuesOf(apply(openstackConfig(), { "infrastructure.workerPools[0].size": 42, "infrastructure.controlPlane.count": 4 }));
            assertIssue(issues, "infrastructure.workerPools[0].size", /must be a string/);
            assertIssue(issues, "infrastructure.controlPlane.count", /must be odd/);
        });

        it("shape errors add no wrong 'secrets.… is required' lines to the offline plan", () => {
            const file = readStackFile([
                "config:",
                "  clusters:meta: {name: prod-vs, environment: prod}",
                "  clusters:infrastructure: {provider: vsphere, network: {subnet: 172.26.0.0/24, gateway: 172.26.0.1, dnsServers: [172.26.0.2], apiVip: 172.26.0.5}, controlPlane: {count: 3, size: medium, addresses: {from: 172.26.0.10, to: 172.26.0.19}}, vsphere: {datacenter: d, computeCluster: c, datastore: s, network: n, template: t}}",
                "  clusters:gitops: {repository: {url: 'https://github.com/acme/gitops.git'}}",
                "  clusters:backup: {enabled: true, storage: {bucket: prod-velero}}",
                "",
            ].join("\n"));
            const issues = issuesOf(withSecretStandIns(file.values).values);
            assert.deepStrictEqual(issues.map((issue) => issue.path), ["meta.environment"]);
        });

        it("count: .inf says infinity, not 'number null'", () => {
            const config = fromStackFile([
                "  clusters:meta: {name: t1}",
                "  clusters:infrastructure: {provider: openstack, network: {subnet: 10.0.0.0/24, gateway: 10.0.0.1, dnsServers: [10.0.0.2], apiVip: 10.0.0.5}, controlPlane: {count: .inf, size: m1, addresses: {from: 10.0.0.10, to: 10.0.0.19}}, openstack: {image: ubuntu, externalNetworkId: ext}}",
            ]);
            const issues = issuesOf(config);
            assertIssue(issues, "infrastructure.controlPlane.count", /^must be a finite number, not \.inf \(infinity\)$/);
            assert.ok(!JSON.stringify(issues).includes("null"));
        });
    });
});
