/**
 * The security-group rules of a cluster, as data: the least set that works. A pure function, so a
 * test can hold the exact list and a reviewer can read it in one place.
 *
 * - nodes talk to each other freely (etcd, kubelet, CNI overlay, NodePorts between nodes);
 * - the API port is open to the node subnet (kube-vip, load-balancer health checks), the bastion
 *   and `allowedCidrs`;
 * - SSH reaches nodes only from the bastion when there is one, otherwise from `allowedCidrs` and
 *   the node subnet; the bastion takes SSH from `allowedCidrs` only;
 * - when the OpenStack cloud controller makes Octavia load balancers for Services, workers take the
 *   NodePort range from the addresses Octavia's own ports get: an amphora reaches members from its
 *   port in the member subnet, and the OVN provider health-checks members from an `ovn-lb-hm-<subnet>`
 *   port it creates there; both take their address from the subnet's DHCP allocation pool (the last
 *   quarter of a subnet the program creates, see network.ts). That is all an amphora needs. The OVN
 *   provider keeps the client's source address, so Service traffic reaches the NodePorts from the clients
 *   themselves: with `loadBalancerProvider: ovn` the cloud controller runs with `manage-security-groups`
 *   and opens, per Service, exactly its NodePorts to its `loadBalancerSourceRanges`, in a security group
 *   it attaches to the workers' ports (spec/cloud.ts serviceLoadBalancerConfig; the ports ignore their groups
 *   after creation, compute.ts controllerManagedSecurityGroups); a static rule here could
 *   only open the whole range to the world. The API load balancer needs no extra
 *   rule: the API port is already open to the node subnet (amphora, OVN health checks) and to
 *   `allowedCidrs` (OVN keeps the client's source address).
 * Nothing is open to 0.0.0.0/0 unless `allowedCidrs` says so. Egress keeps OpenStack's defaults.
 */
import type { ClusterSpec } from "../../spec";
import { dhcpPoolOf } from "../../spec/rules/provider";

export type GroupRole = "control-plane" | "worker" | "bastion";

export interface RuleSpec {
    /** Group the rule belongs to. */
    readonly group: GroupRole;
    readonly protocol?: "tcp" | "udp";
    readonly port?: number;
    /** Last port of a range starting at `port`. @default port */
    readonly portEnd?: number;
    /** Traffic from a CIDR, or from another of the cluster's groups. */
    readonly from: { readonly cidr: string } | { readonly group: GroupRole };
    readonly description: string;
}

export function securityGroupRoles(spec: ClusterSpec): GroupRole[] {
    return spec.infrastructure.bastion.enabled ? ["control-plane", "worker", "bastion"] : ["control-plane", "worker"];
}

export function securityRules(spec: ClusterSpec): RuleSpec[] {
    const { network, bastion } = spec.infrastructure;
    const apiPort = spec.kubernetes.apiPort;
    const rules: RuleSpec[] = [];
    const nodeGroups: GroupRole[] = ["control-plane", "worker"];
    for (const group of nodeGroups) {
        for (const peer of nodeGroups) {
            rules.push({ group, from: { group: peer }, description: `all traffic from ${peer} nodes` });
        }
        if (bastion.enabled) {
            rules.push({ group, protocol: "tcp", port: 22, from: { group: "bastion" }, description: "SSH from the bastion" });
        } else {
            for (const cidr of uniqueCidrs([network.subnet, ...network.allowedCidrs])) {
                rules.push({ group, protocol: "tcp", port: 22, from: { cidr }, description: describeSource("SSH", cidr) });
            }
        }
    }
    for (const cidr of uniqueCidrs([network.subnet, ...network.allowedCidrs])) {
        rules.push({ group: "control-plane", protocol: "tcp", port: apiPort, from: { cidr }, description: describeSource("Kubernetes API", cidr) });
    }
    if (bastion.enabled) {
        rules.push({ group: "control-plane", protocol: "tcp", port: apiPort, from: { group: "bastion" }, description: "Kubernetes API from the bastion" });
        for (const cidr of uniqueCidrs(network.allowedCidrs)) {
            rules.push({ group: "bastion", protocol: "tcp", port: 22, from: { cidr }, description: describeSource("SSH", cidr) });
        }
    }
    if (serviceLoadBalancers(spec)) {
        const cidr = octaviaSourceCidr(spec);
        for (const protocol of ["tcp", "udp"] as const) {
            rules.push({
                group: "worker", protocol, port: NODE_PORTS.first, portEnd: NODE_PORTS.last, from: { cidr },
                description: `NodePorts from Octavia (amphora and OVN health-monitor ports) in ${cidr}`,
            });
        }
    }
    return rules;
}

/** Kubernetes' default NodePort range (kube-apiserver --service-node-port-range). */
export const NODE_PORTS = { first: 30000, last: 32767 } as const;

/**
 * Catalog names under which the OpenStack cloud controller manager (the one that turns Services of
 * type LoadBalancer into Octavia load balancers) may be enabled.
 */
export const OPENSTACK_CLOUD_CONTROLLERS: ReadonlySet<string> = new Set(["openstack-ccm", "openstack-cloud-controller-manager"]);

/** Whether Services of type LoadBalancer become Octavia load balancers whose members are the workers. */
export function serviceLoadBalancers(spec: ClusterSpec): boolean {
    return spec.enabledServices.some((service) => OPENSTACK_CLOUD_CONTROLLERS.has(service.name));
}

/**
 * Where Octavia's ports in the node subnet take their addresses: the DHCP allocation pool of a subnet
 * the program creates (its last quarter, a CIDR of its own), or the whole subnet when an existing
 * network is reused (its pool is not the program's to know).
 */
export function octaviaSourceCidr(spec: ClusterSpec): string {
    const subnet = spec.infrastructure.network.subnet;
    if (spec.infrastructure.openstack!.existingNetwork) {
        return subnet;
    }
    const bits = Number(subnet.split("/")[1]);
    return bits <= 30 ? `${dhcpPoolOf(subnet).start}/${bits + 2}` : subnet;
}

/** Marks a rule open to the whole Internet as asked for by the spec (the policy pack reads it). */
export const WORLD_MARKER = "open to the world: infrastructure.network.allowedCidrs";

function describeSource(what: string, cidr: string): string {
    return cidr.endsWith("/0") ? `${what} from ${cidr} (${WORLD_MARKER})` : `${what} from ${cidr}`;
}

function uniqueCidrs(cidrs: readonly string[]): string[] {
    return [...new Set(cidrs)];
}

/** Stable resource name of a rule: group, source and port, never its position in the list. */
export function ruleName(cluster: string, rule: RuleSpec): string {
    const source = "cidr" in rule.from ? rule.from.cidr.replace(/[./]/g, "-") : rule.from.group;
    const port = rule.protocol ? `${rule.protocol}${rule.port}${rule.portEnd !== undefined ? `-${rule.portEnd}` : ""}` : "all";
    return `${cluster}-${rule.group}-from-${source}-${port}`;
}
