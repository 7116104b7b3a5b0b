/**
 * Everything a cluster needs on OpenStack, as one component that hands the common NodeSet forward.
 * Credentials come from the standard `openstack:` provider config or OS_* environment variables.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, PlannedNode } from "../../spec";
import { renderUserData } from "../cloudinit";
import { identityHash } from "../machine-identity";
import { nodeSetOf, pinMachineInputs, type InfrastructureArgs, type NodeSet } from "../nodeset";
import { machine, serverGroups } from "./compute";
import { apiDnsRecord, apiFloatingIp, apiVipPort, loadBalancedApi } from "./endpoint";
import { nodeNetwork } from "./network";
import { ruleName, securityGroupRoles, securityRules, type GroupRole } from "./security";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class OpenStackInfrastructure extends pulumi.ComponentResource {
    readonly nodeSet: NodeSet;
    readonly bastionAddress?: pulumi.Output<string>;

    constructor(name: string, args: InfrastructureArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:openstack:Infrastructure", name, {}, opts);
        const { spec } = args;
        const cluster = spec.meta.name;
        const network = nodeNetwork(spec, this, args.protection?.cluster ?? false);
        const groups = this.securityGroups(spec);
        const keyPair = new openstack.compute.Keypair(`${cluster}-ssh`, {
            name: `${cluster}-ssh`,
            publicKey: pulumi.output(args.authorizedKeys).apply((keys) => keys[0]),
        }, { parent: this, ignoreChanges: ["publicKey"] });
        const imageId = resolveImageId(spec.infrastructure.openstack!.image, this);

        const bastion = spec.infrastructure.bastion.enabled ? this.bastion(spec, network, groups.get("bastion")!, imageId, keyPair.name, args) : undefined;
        this.bastionAddress = bastion;

        const vipPort = apiVipPort(spec, network, groups.get("control-plane")!.id, this);
        const apiPortId = vipPort ? vipPort.id : loadBalancedApi(spec, network, spec.nodes.filter((n) => n.role === "control-plane"), this).vipPortId;
        const floating = spec.infrastructure.apiEndpoint.floatingIp ? apiFloatingIp(spec, apiPortId, this) : undefined;
        const apiAddress = floating ? floating.address : pulumi.output(spec.infrastructure.network.apiVip ?? "");
        apiDnsRecord(spec, apiAddress, this);
        const apiHost = spec.infrastructure.apiEndpoint.dnsName ? pulumi.output(spec.infrastructure.apiEndpoint.dnsName) : apiAddress;
        const access = { apiHost, bastion };

        const podCidrOnPorts = ["none", "native"].includes(spec.kubernetes.network.mode);
        const sgs = serverGroups(spec, this);
        const machines: Record<string, pulumi.Resource[]> = {};
        for (const node of spec.nodes) {
            machines[node.name] = machine({
                spec, network, imageId, keyPairName: keyPair.name, authorizedKeys: args.authorizedKeys, parent: this,
                protect: (n) => args.protection?.machine(n) ?? false,
                securityGroupId: (n) => groups.get(n.role)!.id,
                serverGroupId: (n) => sgs.get(n.pool)?.id,
                allowedAddresses: (n) => [
                    ...(n.role === "control-plane" && vipPort ? [spec.infrastructure.network.apiVip!] : []),
                    ...(podCidrOnPorts ? [spec.kubernetes.podSubnet] : []),
                ],
            }, node, args.lifecycle?.before(node, access) ?? []);
            args.lifecycle?.after(node, machines[node.name]);
        }

        this.nodeSet = nodeSetOf(spec, access, machines);
        this.registerOutputs({ apiEndpoint: apiHost, bastionAddress: bastion });
    }

    private securityGroups(spec: ClusterSpec): Map<GroupRole, openstack.networking.SecGroup> {
        const cluster = spec.meta.name;
        const groups = new Map<GroupRole, openstack.networking.SecGroup>();
        for (const role of securityGroupRoles(spec)) {
            groups.set(role, new openstack.networking.SecGroup(`${cluster}-${role}`, {
                name: `${cluster}-${role}`,
                description: `${role} of cluster ${cluster}`,
            }, { parent: this }));
        }
        for (const rule of securityRules(spec)) {
            new openstack.networking.SecGroupRule(ruleName(cluster, rule), {
                securityGroupId: groups.get(rule.group)!.id,
                direction: "ingress",
                ethertype: "IPv4",
                protocol: rule.protocol,
                portRangeMin: rule.port,
                portRangeMax: rule.portEnd ?? rule.port,
                remoteIpPrefix: "cidr" in rule.from ? rule.from.cidr : undefined,
                remoteGroupId: "group" in rule.from ? groups.get(rule.from.group)!.id : undefined,
                description: rule.description,
            }, { parent: this });
        }
        return groups;
    }

    private bastion(
        spec: ClusterSpec, network: ReturnType<typeof nodeNetwork>, group: openstack.networking.SecGroup,
        imageId: pulumi.Input<string>, keyPairName: pulumi.Input<string>, args: InfrastructureArgs,
    ): pulumi.Output<string> {
        const name = `${spec.meta.name}-bastion`;
        const bastion = spec.infrastructure.bastion;
        const port = new openstack.networking.Port(name, {
            name,
            networkId: network.networkId,
            fixedIps: [{ subnetId: network.subnetId, ipAddress: bastion.address! }],
            securityGroupIds: [group.id],
            adminStateUp: true,
        }, { parent: this, dependsOn: network.ready });
        const bastionNode: Pick<PlannedNode, "name"> = { name };
        // The bastion is no node, but the same rule holds: only a new image name recreates it; the image
        // ID and its cloud-init (with the keys of the day) are pinned until then.
        const trigger = identityHash({ image: spec.infrastructure.openstack!.image });
        const pins = pinMachineInputs<{ imageId: string; userData: string }>(name, trigger, {
            imageId,
            userData: pulumi.output(args.authorizedKeys).apply((keys) => renderUserData(spec, bastionNode, keys)),
        }, { parent: this });
        new openstack.compute.Instance(name, {
            name,
            flavorName: bastion.size!,
            keyPair: keyPairName,
            configDrive: true,
            blockDevices: [{ sourceType: "image", uuid: pins.imageId, destinationType: "volume", volumeSize: 20, bootIndex: 0, deleteOnTermination: true }],
            networks: [{ port: port.id }],
            userData: pins.userData,
            metadata: { cluster: spec.meta.name, role: "bastion", "managed-by": "pulumi-clusters" },
        }, { parent: this, replacementTrigger: trigger, deleteBeforeReplace: true });
        const floating = new openstack.networking.FloatingIp(name, {
            pool: spec.infrastructure.openstack!.floatingIpPool!,
            portId: port.id,
            description: `SSH bastion of ${spec.meta.name}`,
        }, { parent: this });
        return floating.address;
    }
}

/**
 * An image given by ID is used as is; a name is looked up on every run, taking the newest image of that
 * name (so a re-published image never breaks the lookup), and each machine pins the ID it was made
 * from (pinMachineInputs): a re-published image reaches new and replaced machines only.
 */
function resolveImageId(image: string, parent: pulumi.Resource): pulumi.Input<string> {
    if (UUID.test(image)) {
        return image;
    }
    return openstack.images.getImageOutput({ name: image, mostRecent: true }, { parent }).id;
}
