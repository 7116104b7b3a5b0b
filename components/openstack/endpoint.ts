/**
 * The API endpoint: a kube-vip VIP held by a reserved port (the control-plane ports carry it as an
 * allowed address pair), or an Octavia load balancer with one member per control-plane node; either
 * with an optional floating IP and Designate record.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, PlannedNode } from "../../spec";
import type { NodeNetwork } from "./network";
import { WORLD_MARKER } from "./security";

export interface ApiEndpoint {
    /** Host name or address clients use. */
    readonly host: pulumi.Output<string>;
}

export function apiVipPort(spec: ClusterSpec, network: NodeNetwork, securityGroupId: pulumi.Input<string>, parent: pulumi.Resource): openstack.networking.Port | undefined {
    const { apiEndpoint, network: net } = spec.infrastructure;
    if (apiEndpoint.type !== "kube-vip") {
        return undefined;
    }
    return new openstack.networking.Port(`${spec.meta.name}-api-vip`, {
        name: `${spec.meta.name}-api-vip`,
        description: "Reserves the kube-vip address of the Kubernetes API",
        networkId: network.networkId,
        fixedIps: [{ subnetId: network.subnetId, ipAddress: net.apiVip! }],
        securityGroupIds: [securityGroupId],
        adminStateUp: true,
    }, { parent, dependsOn: network.ready });
}

export function loadBalancedApi(
    spec: ClusterSpec, network: NodeNetwork, controlPlane: readonly PlannedNode[], parent: pulumi.Resource,
): openstack.loadbalancer.LoadBalancer {
    const name = spec.meta.name;
    const port = spec.kubernetes.apiPort;
    const lb = new openstack.loadbalancer.LoadBalancer(`${name}-api`, {
        name: `${name}-api`,
        vipSubnetId: network.subnetId,
        vipAddress: spec.infrastructure.network.apiVip,
        loadbalancerProvider: spec.infrastructure.openstack!.loadBalancerProvider,
    }, { parent, dependsOn: network.ready });
    const listener = new openstack.loadbalancer.Listener(`${name}-api`, {
        name: `${name}-api`,
        loadbalancerId: lb.id,
        protocol: "TCP",
        protocolPort: port,
        allowedCidrs: listenerCidrs(spec),
        description: listenerCidrs(spec).some((c) => c.endsWith("/0")) ? `Kubernetes API (${WORLD_MARKER})` : "Kubernetes API",
    }, { parent });
    const pool = new openstack.loadbalancer.Pool(`${name}-api`, {
        name: `${name}-api`,
        listenerId: listener.id,
        protocol: "TCP",
        lbMethod: spec.infrastructure.openstack!.loadBalancerProvider === "ovn" ? "SOURCE_IP_PORT" : "ROUND_ROBIN",
    }, { parent });
    new openstack.loadbalancer.Monitor(`${name}-api`, {
        name: `${name}-api`,
        poolId: pool.id,
        type: "TCP",
        delay: 10,
        timeout: 5,
        maxRetries: 3,
    }, { parent });
    for (const node of controlPlane) {
        new openstack.loadbalancer.Member(`${node.name}-api`, {
            name: node.name,
            poolId: pool.id,
            address: node.address,
            protocolPort: port,
            subnetId: network.subnetId,
        }, { parent });
    }
    return lb;
}

/** Who may reach the load-balanced API: the node subnet, and the allowed CIDRs. */
function listenerCidrs(spec: ClusterSpec): string[] {
    return [...new Set([spec.infrastructure.network.subnet, ...spec.infrastructure.network.allowedCidrs])];
}

export function apiFloatingIp(spec: ClusterSpec, portId: pulumi.Input<string>, parent: pulumi.Resource): openstack.networking.FloatingIp {
    return new openstack.networking.FloatingIp(`${spec.meta.name}-api`, {
        pool: spec.infrastructure.openstack!.floatingIpPool!,
        portId,
        description: `Kubernetes API of ${spec.meta.name}`,
    }, { parent });
}

export function apiDnsRecord(spec: ClusterSpec, address: pulumi.Input<string>, parent: pulumi.Resource): void {
    const zoneId = spec.infrastructure.openstack!.designateZoneId;
    const dnsName = spec.infrastructure.apiEndpoint.dnsName;
    if (!zoneId || !dnsName) {
        return;
    }
    new openstack.dns.RecordSet(`${spec.meta.name}-api`, {
        zoneId,
        name: `${dnsName}.`,
        type: "A",
        ttl: 300,
        records: [address],
        description: `Kubernetes API of ${spec.meta.name}`,
    }, { parent });
}
