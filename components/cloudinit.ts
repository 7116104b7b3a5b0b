/**
 * cloud-init documents for the nodes: user data (host name, SSH user and keys, NTP) and network
 * data (the static address). Public keys only; no secret ever goes into these documents.
 */
import { stringify } from "yaml";
import type { ClusterSpec, PlannedNode } from "../spec";

export function renderUserData(spec: ClusterSpec, node: Pick<PlannedNode, "name">, authorizedKeys: readonly string[]): string {
    const { ssh, network } = spec.infrastructure;
    const document = {
        hostname: node.name,
        fqdn: `${node.name}.${network.domain}`,
        prefer_fqdn_over_hostname: false,
        manage_etc_hosts: true,
        users: [{
            name: ssh.user,
            groups: ["sudo"],
            shell: "/bin/bash",
            sudo: "ALL=(ALL) NOPASSWD:ALL",
            lock_passwd: true,
            ssh_authorized_keys: [...authorizedKeys, ...ssh.authorizedKeys],
        }],
        ssh_pwauth: false,
        disable_root: true,
        ntp: { enabled: true, servers: [...network.ntpServers] },
        package_update: false,
    };
    return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}

/** Netplan v2 network config with the node's static address, matched on the first NIC by name pattern. */
export function netplan(spec: ClusterSpec, address: string, interfaceMatch: string): Record<string, unknown> {
    const { network } = spec.infrastructure;
    const prefix = network.subnet.split("/")[1];
    return {
        version: 2,
        ethernets: {
            primary: {
                match: { name: interfaceMatch },
                "set-name": spec.infrastructure.apiEndpoint.interface,
                addresses: [`${address}/${prefix}`],
                routes: [{ to: "default", via: network.gateway }],
                nameservers: { addresses: [...network.dnsServers], search: [network.domain] },
            },
        },
    };
}

export function renderNetworkData(spec: ClusterSpec, address: string, interfaceMatch: string): string {
    return stringify(netplan(spec, address, interfaceMatch), { lineWidth: 0 });
}
