/** Networks and addresses: no overlaps, every address in the node subnet and used once. */
import { addressPaths, blockCapacity, ipv4ToInt, planNodes, poolsOf, type Addresses } from "../topology";
import type { RuleContext } from "./context";

type Range = { first: number; last: number };

function cidrRange(value: string): Range {
    const [address, bits] = value.split("/");
    const first = ipv4ToInt(address);
    return { first, last: first + 2 ** (32 - Number(bits)) - 1 };
}

const overlaps = (a: Range, b: Range) => a.first <= b.last && b.first <= a.last;

export function networksDoNotOverlap(ctx: RuleContext): void {
    const named: [string, string][] = [
        ["infrastructure.network.subnet", ctx.config.infrastructure.network.subnet],
        ["kubernetes.podSubnet", ctx.config.kubernetes.podSubnet],
        ["kubernetes.serviceSubnet", ctx.config.kubernetes.serviceSubnet],
    ];
    for (let i = 0; i < named.length; i++) {
        for (let j = i + 1; j < named.length; j++) {
            if (overlaps(cidrRange(named[i][1]), cidrRange(named[j][1]))) {
                ctx.error(named[j][0], `${named[j][1]} overlaps ${named[i][0]} (${named[i][1]}); the node, pod and service networks must be disjoint`);
            }
        }
    }
    const { podSubnet, nodePrefix } = ctx.config.kubernetes;
    const podBits = Number(podSubnet.split("/")[1]);
    if (nodePrefix <= podBits) {
        ctx.error("kubernetes.nodePrefix", `must be longer than the pod subnet's prefix /${podBits} so every node gets its own pod range`);
    }
}

/** Calico's IPAM block size as Kubespray configures it (calico_pool_blocksize in roles/network_plugin/calico_defaults). */
export const CALICO_BLOCK_PREFIX = 26;

/**
 * Every node needs its own share of the pod subnet. With Calico, Kubespray turns off the controller
 * manager's node CIDRs (allocate-node-cidrs: false in its kubeadm config) and Calico hands each node
 * /26 blocks: the subnet must hold a block per node. With the other plugins the controller manager gives
 * every node a /nodePrefix (node-cidr-mask-size), and Kubespray asserts there is one per node and that
 * the kubelet's 110 pods fit in it (roles/validate_inventory/tasks/main.yml in Kubespray v2.31.0).
 */
export function podRangesFitTheNodes(ctx: RuleContext): void {
    const { podSubnet, nodePrefix, network } = ctx.config.kubernetes;
    const podBits = Number(podSubnet.split("/")[1]);
    const nodes = poolsOf(ctx.config).reduce((sum, pool) => sum + pool.count, 0);
    if (network.plugin === "calico") {
        const blocks = podBits <= CALICO_BLOCK_PREFIX ? 2 ** (CALICO_BLOCK_PREFIX - podBits) : 0;
        if (blocks < nodes) {
            ctx.error("kubernetes.podSubnet", `${podSubnet} holds ${blocks} of Calico's /${CALICO_BLOCK_PREFIX} address blocks, but the cluster has ${nodes} nodes and Calico gives every node its own block; widen the pod subnet`);
        }
        return;
    }
    if (nodePrefix <= podBits) {
        return; // networksDoNotOverlap reports it
    }
    const ranges = 2 ** (nodePrefix - podBits);
    if (ranges < nodes) {
        ctx.error("kubernetes.nodePrefix", `/${nodePrefix} ranges of kubernetes.podSubnet ${podSubnet} give ${ranges} nodes a pod range, but the cluster has ${nodes} nodes; every node needs its own range (shorten nodePrefix or widen the pod subnet)`);
    }
    if (110 > 2 ** (32 - nodePrefix) - 2) {
        ctx.error("kubernetes.nodePrefix", `/${nodePrefix} holds ${2 ** (32 - nodePrefix) - 2} pod addresses per node, fewer than the kubelet's 110 pods; with ${network.plugin} Kubespray requires at most /25`);
    }
}

/** Smallest service subnet: see serviceSubnetFits. */
export const MIN_SERVICE_SUBNET_PREFIX = 24;

/**
 * The service subnet holds one address per Service. Kubespray gives the API's Service the first
 * address and CoreDNS the third (kube_apiserver_ip and skydns_server in roles/kubespray_defaults), and
 * the platform's services each create several Services, so a range smaller than a /24 (254 addresses)
 * runs out. kube-apiserver refuses a range wider than /12 ("specified --service-cluster-ip-range is too
 * large", cmd/kube-apiserver/app/options/validation.go).
 */
export function serviceSubnetFits(ctx: RuleContext): void {
    const { serviceSubnet } = ctx.config.kubernetes;
    const prefix = Number(serviceSubnet.split("/")[1]);
    if (prefix > MIN_SERVICE_SUBNET_PREFIX) {
        ctx.error("kubernetes.serviceSubnet", `${serviceSubnet} holds ${Math.max(0, 2 ** (32 - prefix) - 2)} Service addresses; use /${MIN_SERVICE_SUBNET_PREFIX} or wider: Kubespray takes the first address for the API and the third for CoreDNS, and every Service of the platform and its applications needs one`);
    } else if (prefix < 12) {
        ctx.error("kubernetes.serviceSubnet", `${serviceSubnet} is wider than kube-apiserver accepts; the prefix must be /12 or longer`);
    }
}

/** Checks one address against the node subnet; returns a problem or undefined. */
function addressProblem(address: string, subnet: string, gateway: string): string | undefined {
    const range = cidrRange(subnet);
    const value = ipv4ToInt(address);
    if (value < range.first || value > range.last) {
        return `${address} is outside the node subnet ${subnet}`;
    }
    if (value === range.first) {
        return `${address} is the network address of ${subnet}`;
    }
    if (value === range.last) {
        return `${address} is the broadcast address of ${subnet}`;
    }
    if (address === gateway) {
        return `${address} is the gateway (infrastructure.network.gateway)`;
    }
    return undefined;
}

export function addressesFitTheSubnet(ctx: RuleContext): void {
    const { network, bastion, apiEndpoint, provider } = ctx.config.infrastructure;
    const gatewayRange = cidrRange(network.subnet);
    const gw = ipv4ToInt(network.gateway);
    if (gw <= gatewayRange.first || gw >= gatewayRange.last) {
        ctx.error("infrastructure.network.gateway", `${network.gateway} must be a host address inside the node subnet ${network.subnet}`);
    }
    const owners = new Map<string, string>();
    // DNS servers are other hosts: no node, VIP or bastion may take their address (the gateway may be one).
    network.dnsServers.forEach((server, i) => {
        if (!owners.has(server)) {
            owners.set(server, `the DNS server infrastructure.network.dnsServers[${i}]`);
        }
    });
    const claim = (address: string, owner: string, path: string) => {
        const previous = owners.get(address);
        if (previous) {
            ctx.error(path, `${address} is already taken by ${previous}; every address must be unique`);
        } else {
            owners.set(address, owner);
        }
    };
    const blocks: { range: Range; path: string }[] = [];
    for (const pool of poolsOf(ctx.config)) {
        if (provider !== "existing") {
            const addresses = (pool.role === "control-plane" ? ctx.config.infrastructure.controlPlane?.addresses
                : ctx.config.infrastructure.workerPools.find((p) => p.name === pool.name)?.addresses) as Addresses;
            checkBlock(ctx, addresses, pool.count, `${pool.path}.addresses`, network.subnet, network.gateway, blocks);
        }
    }
    const paths = addressPaths(ctx.config);
    planNodes(ctx.config).forEach((node, i) => {
        if (!node.address) {
            return; // reported by checkBlock
        }
        const path = provider === "existing" ? `infrastructure.existing.nodes[${i}].address` : paths.get(node.pool)!;
        const problem = addressProblem(node.address, network.subnet, network.gateway);
        if (problem) {
            ctx.error(path, `node ${node.name}: ${problem}`);
        }
        claim(node.address, `node ${node.name}`, path);
    });
    if (network.apiVip) {
        const problem = addressProblem(network.apiVip, network.subnet, network.gateway);
        if (problem && apiEndpoint.type === "kube-vip") {
            ctx.error("infrastructure.network.apiVip", problem);
        }
        const inBlock = blocks.find((b) => overlaps(b.range, { first: ipv4ToInt(network.apiVip!), last: ipv4ToInt(network.apiVip!) }));
        if (inBlock) {
            ctx.error("infrastructure.network.apiVip", `${network.apiVip} lies inside ${inBlock.path}; the VIP must not be a node address`);
        } else {
            claim(network.apiVip, "the API VIP (infrastructure.network.apiVip)", "infrastructure.network.apiVip");
        }
    }
    if (bastion.enabled && bastion.address) {
        const problem = provider === "openstack" ? addressProblem(bastion.address, network.subnet, network.gateway) : undefined;
        const value = ipv4ToInt(bastion.address);
        const inBlock = blocks.find((b) => overlaps(b.range, { first: value, last: value }));
        if (problem) {
            ctx.error("infrastructure.bastion.address", problem);
        } else if (inBlock) {
            ctx.error("infrastructure.bastion.address", `${bastion.address} lies inside ${inBlock.path}, which is reserved for nodes; give the bastion an address outside every pool's block`);
        } else {
            claim(bastion.address, "the bastion (infrastructure.bastion.address)", "infrastructure.bastion.address");
        }
    }
    const lbPool = ctx.config.infrastructure.harvester?.loadBalancerPool;
    if (lbPool) {
        checkBlock(ctx, lbPool, 1, "infrastructure.harvester.loadBalancerPool", network.subnet, network.gateway, blocks);
    }
}

function checkBlock(
    ctx: RuleContext, addresses: Addresses, count: number, path: string, subnet: string, gateway: string,
    blocks: { range: Range; path: string }[],
): void {
    if (!Array.isArray(addresses)) {
        const from = ipv4ToInt(addresses.from);
        const to = ipv4ToInt(addresses.to);
        if (from > to) {
            ctx.error(`${path}.to`, `${addresses.to} comes before ${path}.from (${addresses.from})`);
            return;
        }
        for (const [end, value] of [["from", addresses.from], ["to", addresses.to]] as const) {
            const problem = addressProblem(value, subnet, gateway);
            if (problem) {
                ctx.error(`${path}.${end}`, problem);
            }
        }
        const range = { first: from, last: to };
        const clash = blocks.find((b) => overlaps(b.range, range));
        if (clash) {
            ctx.error(path, `${addresses.from}-${addresses.to} overlaps ${clash.path}; blocks must be disjoint so pools grow without colliding`);
        }
        blocks.push({ range, path });
    } else {
        for (const address of addresses) {
            const clash = blocks.find((b) => overlaps(b.range, { first: ipv4ToInt(address), last: ipv4ToInt(address) }));
            if (clash) {
                ctx.error(path, `${address} lies inside ${clash.path}`);
            }
        }
    }
    const capacity = blockCapacity(addresses);
    if (count > capacity) {
        ctx.error(path, `holds ${capacity} address(es) but count is ${count}; widen the block or list more addresses`);
    }
}

export function allowedCidrsAreExplicit(ctx: RuleContext): void {
    const { allowedCidrs } = ctx.config.infrastructure.network;
    allowedCidrs.forEach((cidr, i) => {
        const prefix = Number(cidr.split("/")[1]);
        if (prefix === 0 && ctx.config.meta.environment === "production") {
            ctx.warn(`infrastructure.network.allowedCidrs[${i}]`, "opens SSH and the API to the whole Internet in production");
        }
    });
}
