/**
 * The `infrastructure` section of a stack file: where the nodes come from and how they are addressed.
 */
import { z } from "zod";
import {
    bounded, boundedRecord, cidr, cloudId, dnsLabel, dnsName, hostOrAddress, interfaceName, ipv4, labelKey, labelValue, objectName, ownKey,
    sshPublicKey, unixUser,
} from "./formats";
import { MAX_CONTROL_PLANE_NODES, MAX_LIST, MAX_NODES, MAX_TEXT, MAX_WORKER_POOLS, MAX_WORKERS_PER_POOL } from "./limits";

export const PROVIDERS = ["openstack", "vsphere", "harvester", "existing"] as const;

/**
 * The addresses of a pool's nodes: a block (node n takes `from + n - 1`, never beyond `to`) or an
 * explicit list (node n takes the n-th entry). Either way a node's address depends only on its own
 * pool and number, so growing or shrinking one pool never moves another node.
 */
export const addressesSchema = z.union([
    z.object({
        /** First address of the block. */
        from: ipv4,
        /** Last address of the block (inclusive). */
        to: ipv4,
    }).strict(),
    z.array(ipv4).min(1, "must list at least one address").max(MAX_LIST.addresses),
]);

export const dataVolumeSchema = z.object({
    /** Volume name, unique in its pool; becomes part of the volume's resource name. */
    name: dnsLabel,
    /** Size in GiB. */
    sizeGiB: z.number().int().min(1).max(65536),
    /** Provider volume type (OpenStack volume type, vSphere storage policy name). @default provider default */
    type: objectName.optional(),
}).strict();

export const taintSchema = z.object({
    key: labelKey,
    value: labelValue.default(""),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
}).strict();

const nodeGroupFields = {
    /** Size name: an OpenStack flavor, or a key of `infrastructure.sizes` on vSphere and Harvester. */
    size: objectName,
    /** Where the nodes' addresses come from. */
    addresses: addressesSchema,
    /** Boot disk size in GiB. @default the size's `diskGiB`, or `openstack.bootVolume.sizeGiB` */
    diskGiB: z.number().int().min(10).max(65536).optional(),
    /** Extra data volumes attached to every node of the group. @default [] */
    dataVolumes: z.array(dataVolumeSchema).max(MAX_LIST.dataVolumes).default([]),
};

export const controlPlaneSchema = z.object({
    /** Number of control-plane nodes (etcd members). Odd, and at least 3 in production. @default 3 */
    count: z.number().int().min(1).max(MAX_CONTROL_PLANE_NODES).default(3),
    ...nodeGroupFields,
}).strict();

export const workerPoolSchema = z.object({
    /** Pool name; node names are `<cluster>-<pool>-<n>`. */
    name: dnsLabel,
    /** Number of nodes. Shrinking removes the highest-numbered nodes. */
    count: z.number().int().min(0).max(MAX_WORKERS_PER_POOL),
    ...nodeGroupFields,
    /** Kubernetes labels put on every node of the pool. @default {} */
    labels: boundedRecord(labelKey, labelValue, MAX_LIST.labels).default({}),
    /** Kubernetes taints put on every node of the pool. @default [] */
    taints: z.array(taintSchema).max(MAX_LIST.taints).default([]),
    /** Spread the pool's VMs over hosts: none, soft (preferred) or hard (required). @default "none" */
    antiAffinity: z.enum(["none", "soft", "hard"]).default("none"),
}).strict();

export const sizeSchema = z.object({
    cpus: z.number().int().min(1).max(256),
    memoryGiB: z.number().int().min(1).max(4096),
    diskGiB: z.number().int().min(10).max(65536),
}).strict();

/** Sizes for providers that take CPU and memory rather than a flavor name. */
export const DEFAULT_SIZES: Readonly<Record<string, z.infer<typeof sizeSchema>>> = {
    small: { cpus: 2, memoryGiB: 4, diskGiB: 40 },
    medium: { cpus: 4, memoryGiB: 8, diskGiB: 60 },
    large: { cpus: 8, memoryGiB: 16, diskGiB: 100 },
    xlarge: { cpus: 16, memoryGiB: 32, diskGiB: 200 },
};

export const openstackSchema = z.object({
    /** Image name or ID the nodes boot from (an Ubuntu 22.04/24.04 cloud image). */
    image: objectName,
    /** External network for the router gateway. Required unless an existing network is reused. */
    externalNetworkId: cloudId.optional(),
    /** Floating IP pool (external network name) for the bastion and the API floating IP. */
    floatingIpPool: objectName.optional(),
    /** Reuse this network and subnet instead of creating them (no network, subnet or router is created). */
    existingNetwork: z.object({ networkId: cloudId, subnetId: cloudId }).strict().optional(),
    /** Physical network of the VLAN segment when `network.vlan` is set. @default "physnet1" */
    physicalNetwork: objectName.default("physnet1"),
    /** Availability zones to spread nodes over, round-robin by node number within each pool. @default [] (Nova's choice) */
    availabilityZones: z.array(objectName).max(MAX_LIST.availabilityZones).default([]),
    /** Boot volume (boot from volume). @default { sizeGiB: 40 } */
    bootVolume: z.object({
        sizeGiB: z.number().int().min(10).max(65536).default(40),
        type: objectName.optional(),
    }).strict().prefault({}),
    /** Control-plane server group policy. @default "soft-anti-affinity" */
    controlPlaneServerGroup: z.enum(["anti-affinity", "soft-anti-affinity"]).default("soft-anti-affinity"),
    /** Designate zone for an API DNS record (needs `apiEndpoint.dnsName`). */
    designateZoneId: cloudId.optional(),
    /** Octavia provider of the API load balancer (`apiEndpoint.type: loadbalancer`) and of Services of type LoadBalancer (the cloud controller's `lb-provider`; ovn: the controller manages their security groups). @default "amphora" */
    loadBalancerProvider: z.enum(["amphora", "ovn"]).default("amphora"),
}).strict();

export const vsphereSchema = z.object({
    datacenter: objectName,
    /** Compute cluster the VMs run in (its root resource pool unless `resourcePool` is set). */
    computeCluster: objectName,
    datastore: objectName,
    /** Port group the nodes attach to. */
    network: objectName,
    /** VM template (an Ubuntu cloud image with cloud-init and VMware tools) to clone. */
    template: objectName,
    /** VM folder the program creates for the cluster; a nested path's parents must exist. @default "<cluster>" */
    folder: objectName.optional(),
    /** Resource pool path. @default the compute cluster's root pool */
    resourcePool: objectName.optional(),
    /** Make linked clones (faster, needs a template snapshot). @default false */
    linkedClone: z.boolean().default(false),
}).strict();

export const harvesterSchema = z.object({
    /** Namespace in the Harvester cluster that holds the VMs. @default "default" */
    namespace: dnsLabel.default("default"),
    /** VM image: created from `url` when given, otherwise an existing image `name` is referenced. */
    image: z.object({
        name: dnsLabel,
        url: bounded(MAX_TEXT.url).regex(/^https?:\/\/[A-Za-z0-9._~:\/%+-]+$/, "must be an http(s) URL").optional(),
        /** Storage class the image is backed by. @default Harvester's default */
        storageClass: dnsLabel.optional(),
    }).strict(),
    /** VM network (a NetworkAttachmentDefinition on a bridge of `clusterNetwork`). */
    network: z.object({
        name: dnsLabel,
        /** Harvester cluster network the VLAN rides on. @default "mgmt" */
        clusterNetwork: dnsLabel.default("mgmt"),
        /** Create the cluster network and its VLAN config with these uplink NICs (not for "mgmt"). */
        create: z.object({
            uplinkNics: z.array(interfaceName).min(1).max(MAX_LIST.uplinkNics),
            mtu: z.number().int().min(576).max(9000).default(1500),
        }).strict().optional(),
    }).strict(),
    /** Guest interface name inside the VMs (for kube-vip). @default "enp1s0" */
    guestInterface: interfaceName.default("enp1s0"),
    /** IP pool for a Harvester load balancer in front of the API (`apiEndpoint.type: loadbalancer`). */
    loadBalancerPool: z.object({ from: ipv4, to: ipv4 }).strict().optional(),
}).strict();

export const existingNodeSchema = z.object({
    /** Host name the node keeps (a DNS-1123 label). */
    name: dnsLabel,
    address: ipv4,
    role: z.enum(["control-plane", "worker"]),
    /** Pool the node belongs to. @default "control-plane" for control-plane nodes, "workers" otherwise */
    pool: dnsLabel.optional(),
}).strict();

export const existingSchema = z.object({
    nodes: z.array(existingNodeSchema).min(1, "must list at least one node").max(MAX_NODES),
}).strict();

export const infrastructureSchema = z.object({
    provider: z.enum(PROVIDERS),
    ssh: z.object({
        /** User cloud-init creates and Ansible logs in as. @default "ubuntu" */
        user: unixUser.default("ubuntu"),
        /** Extra public keys authorized on every node, besides the cluster key the program generates. @default [] */
        authorizedKeys: z.array(sshPublicKey).max(MAX_LIST.authorizedKeys).default([]),
    }).strict().prefault({}),
    network: z.object({
        /** Node subnet. */
        subnet: cidr,
        gateway: ipv4,
        dnsServers: z.array(ipv4).min(1, "must list at least one DNS server").max(MAX_LIST.dnsServers),
        /** @default ["0.pool.ntp.org", "1.pool.ntp.org"] */
        ntpServers: z.array(hostOrAddress).min(1).max(MAX_LIST.ntpServers).default(["0.pool.ntp.org", "1.pool.ntp.org"]),
        /** Virtual IP of the Kubernetes API (kube-vip, or the load balancer's VIP). */
        apiVip: ipv4.optional(),
        /**
         * Networks allowed to reach SSH (bastion or nodes) and the API. Empty means only the node
         * network itself. "0.0.0.0/0" opens them to the world and must be written out explicitly.
         * @default []
         */
        allowedCidrs: z.array(cidr).max(MAX_LIST.allowedCidrs).default([]),
        /** VLAN ID of the node network (provider network on OpenStack, Harvester VM network). */
        vlan: z.number().int().min(1).max(4094).optional(),
        /** DNS domain of the nodes. @default "cluster.internal" */
        domain: dnsName.default("cluster.internal"),
    }).strict(),
    apiEndpoint: z.object({
        /** kube-vip on the control-plane nodes (ARP), or a provider load balancer. @default "kube-vip" */
        type: z.enum(["kube-vip", "loadbalancer"]).default("kube-vip"),
        /** Attach a floating IP to the API endpoint (OpenStack). @default false */
        floatingIp: z.boolean().default(false),
        /** DNS name for the API; added to the API server certificate. */
        dnsName: dnsName.optional(),
        /** Guest interface kube-vip announces the VIP on. @default provider-specific (ens3, ens192, enp1s0) */
        interface: interfaceName.optional(),
    }).strict().prefault({}),
    /** Control plane; not used with `provider: existing` (the node list says it). */
    controlPlane: controlPlaneSchema.optional(),
    /** Worker pools; not used with `provider: existing`. @default [] */
    workerPools: z.array(workerPoolSchema).max(MAX_WORKER_POOLS).default([]),
    bastion: z.object({
        /** Reach the nodes only through a bastion host. @default false */
        enabled: z.boolean().default(false),
        /** Flavor or size of the bastion VM (OpenStack). */
        size: objectName.optional(),
        /** Address of the bastion inside the node subnet (OpenStack) or of an existing jump host. */
        address: ipv4.optional(),
    }).strict().prefault({}),
    /** Sizes by name for vSphere and Harvester, merged over small/medium/large/xlarge. @default {} */
    sizes: boundedRecord(ownKey(bounded(63).regex(/^[a-z0-9-]+$/, "must be lowercase letters, digits and '-'")), sizeSchema, MAX_LIST.sizes).default({}),
    openstack: openstackSchema.optional(),
    vsphere: vsphereSchema.optional(),
    harvester: harvesterSchema.optional(),
    existing: existingSchema.optional(),
}).strict();
