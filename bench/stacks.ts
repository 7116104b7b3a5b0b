/**
 * Generated stacks for the benchmarks: 3 control-plane nodes plus N workers, on any provider.
 *
 * A worker pool holds at most 1,000 nodes (spec/infrastructure.ts), so N workers are split into
 * pools of 1,000 (`w1`, `w2`, …), each with its own address block. The pod subnet is a /10 with a
 * /24 per node, so the generated stacks stay valid for any rule that checks node ranges.
 */
import { withSecretStandIns } from "../spec";

export const BENCH_PROVIDERS = ["openstack", "vsphere", "harvester", "existing"] as const;
export type BenchProvider = (typeof BENCH_PROVIDERS)[number];

export const POOL_LIMIT = 1000;

export interface GeneratedStackOptions {
    /** `operations.upgrade.workerBatch`: a count or a percentage such as "20%". @default the spec default */
    readonly workerBatch?: number | string;
}

/** Worker counts per pool: 2,500 → [1000, 1000, 500]. */
export function poolCounts(workers: number): number[] {
    const counts: number[] = [];
    for (let left = workers; left > 0; left -= POOL_LIMIT) {
        counts.push(Math.min(POOL_LIMIT, left));
    }
    return counts;
}

/** Pool k (0-based) takes 10.<n>.<4k+1>.1 – 10.<n>.<4k+4>.254: room for 1,000 nodes, no overlap. */
function poolAddresses(second: number, k: number): { from: string; to: string } {
    return { from: `10.${second}.${4 * k + 1}.1`, to: `10.${second}.${4 * k + 4}.254` };
}

export function generatedStack(provider: BenchProvider, workers: number, options: GeneratedStackOptions = {}): Record<string, unknown> {
    const second = { openstack: 0, vsphere: 20, harvester: 10, existing: 30 }[provider];
    const network = { subnet: `10.${second}.0.0/16`, gateway: `10.${second}.0.1`, dnsServers: [`10.${second}.0.2`], apiVip: `10.${second}.0.5` };
    const controlPlaneAddresses = { from: `10.${second}.0.10`, to: `10.${second}.0.19` };
    const pools = (size: string) => poolCounts(workers).map((count, k) => ({ name: `w${k + 1}`, count, size, addresses: poolAddresses(second, k) }));
    const infrastructure: Record<string, unknown> = { provider, network };
    switch (provider) {
        case "openstack":
            Object.assign(infrastructure, {
                controlPlane: { count: 3, size: "m1.large", addresses: controlPlaneAddresses },
                workerPools: pools("m1.xlarge"),
                openstack: { image: "ubuntu-24.04", externalNetworkId: "ext" },
            });
            break;
        case "vsphere":
            Object.assign(infrastructure, {
                controlPlane: { count: 3, size: "medium", addresses: controlPlaneAddresses },
                workerPools: pools("large"),
                vsphere: { datacenter: "DC1", computeCluster: "Cluster-A", datastore: "vsanDatastore", network: "VM-Network", template: "ubuntu-2404-cloudimg" },
            });
            break;
        case "harvester":
            Object.assign(infrastructure, {
                controlPlane: { count: 3, size: "medium", addresses: controlPlaneAddresses },
                workerPools: pools("large"),
                harvester: { image: { name: "ubuntu" }, network: { name: "vmnet" } },
            });
            break;
        case "existing": {
            const address = (index: number) => `10.${second}.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`;
            const nodes = [
                ...[1, 2, 3].map((n) => ({ name: `bench-cp-${n}`, address: `10.${second}.0.${10 + n}`, role: "control-plane" })),
                ...Array.from({ length: workers }, (_, i) => ({ name: `bench-w-${i + 1}`, address: address(i), role: "worker", pool: "w" })),
            ];
            Object.assign(infrastructure, { apiEndpoint: { type: "kube-vip", interface: "eth0" }, existing: { nodes } });
            break;
        }
    }
    return withSecretStandIns({
        meta: { name: "bench", environment: "staging" },
        kubernetes: { version: "1.33.7", podSubnet: "100.64.0.0/10" },
        kubespray: { version: "2.31.0" },
        infrastructure,
        gitops: { repository: { url: "ssh://git@github.com/acme/bench.git" } },
        services: { keycloak: { enabled: false }, headlamp: { enabled: false } },
        ...(options.workerBatch === undefined ? {} : { operations: { upgrade: { workerBatch: options.workerBatch } } }),
    }).values;
}
