/** The node network: created (network, subnet, router) or reused by ID. */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../spec";
import { dhcpPoolOf } from "../../spec/rules/provider";

export interface NodeNetwork {
    readonly networkId: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
    /** Resources the ports must wait for (the router interface, so nodes have a route out at boot). */
    readonly ready: pulumi.Resource[];
}

/** `protect`: production stacks protect the network, subnet and router (components/protection.ts). */
export function nodeNetwork(spec: ClusterSpec, parent: pulumi.Resource, protect = false): NodeNetwork {
    const os = spec.infrastructure.openstack!;
    if (os.existingNetwork) {
        return { networkId: os.existingNetwork.networkId, subnetId: os.existingNetwork.subnetId, ready: [] };
    }
    const name = spec.meta.name;
    const { network: net } = spec.infrastructure;
    const network = new openstack.networking.Network(`${name}-network`, {
        name: `${name}-network`,
        adminStateUp: true,
        segments: net.vlan !== undefined ? [{ networkType: "vlan", segmentationId: net.vlan, physicalNetwork: os.physicalNetwork }] : undefined,
    }, { parent, protect });
    const subnet = new openstack.networking.Subnet(`${name}-subnet`, {
        name: `${name}-subnet`,
        networkId: network.id,
        cidr: net.subnet,
        ipVersion: 4,
        gatewayIp: net.gateway,
        dnsNameservers: [...net.dnsServers],
        enableDhcp: true,
        // Node addresses are fixed by the spec; DHCP only hands out the top quarter, for ports Octavia makes.
        allocationPools: [dhcpPoolOf(net.subnet)],
    }, { parent, protect });
    const router = new openstack.networking.Router(`${name}-router`, {
        name: `${name}-router`,
        adminStateUp: true,
        externalNetworkId: os.externalNetworkId,
    }, { parent, protect });
    const routerInterface = new openstack.networking.RouterInterface(`${name}-router-interface`, {
        routerId: router.id,
        subnetId: subnet.id,
    }, { parent });
    return { networkId: network.id, subnetId: subnet.id, ready: [routerInterface] };
}
