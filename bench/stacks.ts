/** Generated stacks for the benchmarks: 3 control-plane nodes plus N workers. */
import { withSecretStandIns } from "../spec";

export type BenchProvider = "openstack" | "harvester";

export function generatedStack(provider: BenchProvider, workers: number): Record<string, unknown> {
    const infrastructure: Record<string, unknown> = provider === "openstack"
        ? {
            provider,
            network: { subnet: "10.0.0.0/16", gateway: "10.0.0.1", dnsServers: ["10.0.0.2"], apiVip: "10.0.0.5" },
            controlPlane: { count: 3, size: "m1.large", addresses: { from: "10.0.0.10", to: "10.0.0.19" } },
            workerPools: [{ name: "w", count: workers, size: "m1.xlarge", addresses: { from: "10.0.1.1", to: "10.0.60.255" } }],
            openstack: { image: "ubuntu-24.04", externalNetworkId: "ext" },
        }
        : {
            provider,
            network: { subnet: "10.10.0.0/16", gateway: "10.10.0.1", dnsServers: ["10.10.0.2"], apiVip: "10.10.0.5" },
            controlPlane: { count: 3, size: "medium", addresses: { from: "10.10.0.10", to: "10.10.0.19" } },
            workerPools: [{ name: "w", count: workers, size: "large", addresses: { from: "10.10.1.1", to: "10.10.60.255" } }],
            harvester: { image: { name: "ubuntu" }, network: { name: "vmnet" } },
        };
    return withSecretStandIns({
        meta: { name: "bench", environment: "staging" },
        kubernetes: { version: "1.33.7" },
        kubespray: { version: "2.31.0" },
        infrastructure,
        gitops: { repository: { url: "ssh://git@github.com/acme/bench.git" } },
        services: { keycloak: { enabled: false }, headlamp: { enabled: false } },
    }).values;
}
