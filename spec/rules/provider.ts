/** Provider sections: the chosen one present and complete, no other one present. */
import { PROVIDERS } from "../infrastructure";
import { addressPaths, intToIpv4, ipv4ToInt, planNodes, resolveSize } from "../topology";

/** The last quarter of the subnet, less the broadcast address: OpenStack's DHCP allocation pool. */
export function dhcpPoolOf(cidr: string): { start: string; end: string } {
    const [address, bits] = cidr.split("/");
    const base = ipv4ToInt(address);
    const size = 2 ** (32 - Number(bits));
    return { start: intToIpv4(base + Math.floor((size * 3) / 4)), end: intToIpv4(base + size - 2) };
}
import type { RuleContext } from "./context";

export function providerSectionMatches(ctx: RuleContext): void {
    const infra = ctx.config.infrastructure;
    if (!infra[infra.provider]) {
        ctx.error(`infrastructure.${infra.provider}`, `is required because infrastructure.provider is "${infra.provider}"`);
    }
    for (const other of PROVIDERS) {
        if (other !== infra.provider && infra[other]) {
            ctx.error(`infrastructure.${other}`, `must not be set when infrastructure.provider is "${infra.provider}" (only infrastructure.${infra.provider} is allowed)`);
        }
    }
    if (infra.provider === "existing") {
        if (infra.controlPlane) {
            ctx.error("infrastructure.controlPlane", "must not be set with provider existing; infrastructure.existing.nodes lists the control plane");
        }
        if (infra.workerPools.length > 0) {
            ctx.error("infrastructure.workerPools", "must not be set with provider existing; infrastructure.existing.nodes lists the workers");
        }
    } else if (!infra.controlPlane) {
        ctx.error("infrastructure.controlPlane", `is required for provider "${infra.provider}" ({count, size, addresses})`);
    }
}

export function sizesAreKnown(ctx: RuleContext): void {
    const infra = ctx.config.infrastructure;
    if (infra.provider !== "vsphere" && infra.provider !== "harvester") {
        return;
    }
    const known = [...new Set([...Object.keys(infra.sizes), "small", "medium", "large", "xlarge"])].sort().join(", ");
    const groups: [string, string | undefined][] = [
        ["infrastructure.controlPlane.size", infra.controlPlane?.size],
        ...infra.workerPools.map((p, i) => [`infrastructure.workerPools[${i}].size`, p.size] as [string, string]),
    ];
    for (const [path, size] of groups) {
        if (size !== undefined && !resolveSize(ctx.config, size)) {
            ctx.error(path, `"${size}" is not a known size; allowed: ${known} (add more under infrastructure.sizes)`);
        }
    }
}

export function apiEndpointFitsProvider(ctx: RuleContext): void {
    const infra = ctx.config.infrastructure;
    const { apiEndpoint, network } = infra;
    if (apiEndpoint.type === "kube-vip" && !network.apiVip) {
        ctx.error("infrastructure.network.apiVip", "is required when infrastructure.apiEndpoint.type is kube-vip (the address kube-vip announces)");
    } else if (!network.apiVip && infra.provider !== "openstack") {
        ctx.error("infrastructure.network.apiVip", `is required on provider ${infra.provider} (the API's fixed address)`);
    }
    const pool = infra.harvester?.loadBalancerPool;
    if (apiEndpoint.type === "loadbalancer" && pool && network.apiVip
        && (ipv4ToInt(network.apiVip) < ipv4ToInt(pool.from) || ipv4ToInt(network.apiVip) > ipv4ToInt(pool.to))) {
        ctx.error("infrastructure.network.apiVip", `${network.apiVip} must lie in infrastructure.harvester.loadBalancerPool (${pool.from}-${pool.to}), where the load balancer takes its address`);
    }
    if (apiEndpoint.type === "loadbalancer") {
        if (infra.provider === "vsphere" || infra.provider === "existing") {
            ctx.error("infrastructure.apiEndpoint.type", `"loadbalancer" is not available on provider ${infra.provider}; allowed: kube-vip`);
        }
        if (infra.provider === "harvester" && !infra.harvester?.loadBalancerPool) {
            ctx.error("infrastructure.harvester.loadBalancerPool", "is required when infrastructure.apiEndpoint.type is loadbalancer on Harvester");
        }
    }
    if (apiEndpoint.floatingIp) {
        if (infra.provider !== "openstack") {
            ctx.error("infrastructure.apiEndpoint.floatingIp", `is only available on OpenStack, not on ${infra.provider}`);
        } else if (!infra.openstack?.floatingIpPool) {
            ctx.error("infrastructure.openstack.floatingIpPool", "is required when infrastructure.apiEndpoint.floatingIp is true");
        }
    }
    if (infra.openstack?.designateZoneId && !apiEndpoint.dnsName) {
        ctx.error("infrastructure.apiEndpoint.dnsName", "is required when infrastructure.openstack.designateZoneId is set (the record's name)");
    }
    if (infra.provider === "existing" && !apiEndpoint.interface) {
        ctx.error("infrastructure.apiEndpoint.interface", "is required for existing hosts: the network interface kube-vip announces the VIP on (e.g. eth0)");
    }
}

export function bastionIsComplete(ctx: RuleContext): void {
    const infra = ctx.config.infrastructure;
    if (!infra.bastion.enabled) {
        return;
    }
    if (!infra.bastion.address) {
        ctx.error("infrastructure.bastion.address", infra.provider === "openstack"
            ? "is required when the bastion is enabled (its fixed address in the node subnet)"
            : "is required when the bastion is enabled (the address of the existing jump host)");
    }
    if (infra.provider === "openstack") {
        if (!infra.bastion.size) {
            ctx.error("infrastructure.bastion.size", "is required when the bastion is enabled on OpenStack (its flavor)");
        }
        if (!infra.openstack?.floatingIpPool) {
            ctx.error("infrastructure.openstack.floatingIpPool", "is required when the bastion is enabled (its floating IP comes from that pool)");
        }
    }
}

export function openstackNetworkIsReachable(ctx: RuleContext): void {
    const os = ctx.config.infrastructure.openstack;
    if (ctx.config.infrastructure.provider !== "openstack" || !os) {
        return;
    }
    if (!os.existingNetwork && !os.externalNetworkId) {
        ctx.error("infrastructure.openstack.externalNetworkId", "is required when the program creates the network (the router's gateway); or set infrastructure.openstack.existingNetwork");
    }
    const { subnet } = ctx.config.infrastructure.network;
    const pool = dhcpPoolOf(subnet);
    const paths = addressPaths(ctx.config);
    planNodes(ctx.config).forEach((node) => {
        const value = ipv4ToInt(node.address || "0.0.0.0");
        if (!os.existingNetwork && value >= ipv4ToInt(pool.start) && value <= ipv4ToInt(pool.end)) {
            ctx.error(paths.get(node.pool)!,
                `node ${node.name}: ${node.address} is in ${pool.start}-${pool.end}, the last quarter of ${subnet} that OpenStack hands out by DHCP (load balancers, ports it creates); use an address below ${pool.start}`);
        }
    });
    if (os.existingNetwork && ctx.config.infrastructure.network.vlan !== undefined) {
        ctx.error("infrastructure.network.vlan", "must not be set with infrastructure.openstack.existingNetwork (the existing network already has its segment)");
    }
}

export function vsphereCsiAdvised(ctx: RuleContext): void {
    if (ctx.config.infrastructure.provider === "vsphere" && ctx.config.services["vsphere-csi"]?.enabled === false) {
        ctx.warn("services.vsphere-csi.enabled", "is false on vSphere; persistent volumes will need another storage driver");
    }
}
