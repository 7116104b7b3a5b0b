/**
 * A small typed binding for the parts of the vSphere provider this program uses. `@pulumi/vsphere`
 * is not on the registry reachable here, so these classes register the provider's real type tokens
 * with its real property names (checked against shared/schemas/vsphere/schema-subset.json by a test)
 * and pin the plugin version, so `pulumi up` installs the matching `vsphere` plugin.
 */
import * as pulumi from "@pulumi/pulumi";

/** The pulumi-vsphere release the schema extract was taken from. */
export const VSPHERE_PROVIDER_VERSION = "4.17.0";

function pinned<T extends pulumi.CustomResourceOptions | pulumi.InvokeOptions>(opts?: T): T {
    return { ...(opts ?? {}), version: VSPHERE_PROVIDER_VERSION } as T;
}

export interface VirtualMachineDisk {
    label: pulumi.Input<string>;
    size?: pulumi.Input<number>;
    thinProvisioned?: pulumi.Input<boolean>;
    eagerlyScrub?: pulumi.Input<boolean>;
    unitNumber?: pulumi.Input<number>;
    datastoreId?: pulumi.Input<string>;
}

export interface VirtualMachineNetworkInterface {
    networkId: pulumi.Input<string>;
    adapterType?: pulumi.Input<string>;
}

export interface VirtualMachineClone {
    templateUuid: pulumi.Input<string>;
    linkedClone?: pulumi.Input<boolean>;
    timeout?: pulumi.Input<number>;
}

export interface VirtualMachineArgs {
    /** The only input the provider requires. */
    resourcePoolId: pulumi.Input<string>;
    name?: pulumi.Input<string>;
    datastoreId?: pulumi.Input<string>;
    datacenterId?: pulumi.Input<string>;
    folder?: pulumi.Input<string>;
    numCpus?: pulumi.Input<number>;
    numCoresPerSocket?: pulumi.Input<number>;
    memory?: pulumi.Input<number>;
    guestId?: pulumi.Input<string>;
    firmware?: pulumi.Input<string>;
    scsiType?: pulumi.Input<string>;
    enableDiskUuid?: pulumi.Input<boolean>;
    networkInterfaces?: pulumi.Input<pulumi.Input<VirtualMachineNetworkInterface>[]>;
    disks?: pulumi.Input<pulumi.Input<VirtualMachineDisk>[]>;
    clone?: pulumi.Input<VirtualMachineClone>;
    extraConfig?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    annotation?: pulumi.Input<string>;
    /** Any change forces a new VM (the provider marks it willReplaceOnChanges). */
    replaceTrigger?: pulumi.Input<string>;
    waitForGuestNetTimeout?: pulumi.Input<number>;
    waitForGuestIpTimeout?: pulumi.Input<number>;
    shutdownWaitTimeout?: pulumi.Input<number>;
}

export class VirtualMachine extends pulumi.CustomResource {
    static readonly __pulumiType = "vsphere:index/virtualMachine:VirtualMachine";
    declare readonly moid: pulumi.Output<string>;
    declare readonly uuid: pulumi.Output<string>;
    declare readonly defaultIpAddress: pulumi.Output<string>;
    declare readonly powerState: pulumi.Output<string>;

    constructor(name: string, args: VirtualMachineArgs, opts?: pulumi.CustomResourceOptions) {
        if (args.resourcePoolId === undefined) {
            throw new Error("Missing required property 'resourcePoolId'");
        }
        super(VirtualMachine.__pulumiType, name, {
            ...args, moid: undefined, uuid: undefined, defaultIpAddress: undefined, powerState: undefined,
        }, pinned(opts));
    }
}

export interface FolderArgs {
    path: pulumi.Input<string>;
    /** "vm", "host", "datastore", "network" or "datacenter". */
    type: pulumi.Input<string>;
    datacenterId?: pulumi.Input<string>;
}

export class Folder extends pulumi.CustomResource {
    static readonly __pulumiType = "vsphere:index/folder:Folder";
    declare readonly path: pulumi.Output<string>;

    constructor(name: string, args: FolderArgs, opts?: pulumi.CustomResourceOptions) {
        super(Folder.__pulumiType, name, { ...args }, pinned(opts));
    }
}

export interface ComputeClusterVmAntiAffinityRuleArgs {
    computeClusterId: pulumi.Input<string>;
    virtualMachineIds: pulumi.Input<pulumi.Input<string>[]>;
    name?: pulumi.Input<string>;
    enabled?: pulumi.Input<boolean>;
    mandatory?: pulumi.Input<boolean>;
}

export class ComputeClusterVmAntiAffinityRule extends pulumi.CustomResource {
    static readonly __pulumiType = "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule";

    constructor(name: string, args: ComputeClusterVmAntiAffinityRuleArgs, opts?: pulumi.CustomResourceOptions) {
        super(ComputeClusterVmAntiAffinityRule.__pulumiType, name, { ...args }, pinned(opts));
    }
}

function invoke<T>(fn: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.InvokeOptions): pulumi.Output<T> {
    return pulumi.output(args).apply((resolved) =>
        pulumi.runtime.invoke(`vsphere:index/${fn}:${fn}`, resolved, pinned(opts)) as Promise<T>);
}

export const getDatacenter = (args: { name?: string }, opts?: pulumi.InvokeOptions) =>
    invoke<{ id: string; name: string }>("getDatacenter", args, opts);
export const getComputeCluster = (args: { name: string; datacenterId?: pulumi.Input<string> }, opts?: pulumi.InvokeOptions) =>
    invoke<{ id: string; name: string; resourcePoolId: string }>("getComputeCluster", args, opts);
export const getDatastore = (args: { name: string; datacenterId?: pulumi.Input<string> }, opts?: pulumi.InvokeOptions) =>
    invoke<{ id: string; name: string }>("getDatastore", args, opts);
export const getResourcePool = (args: { name?: string; datacenterId?: pulumi.Input<string> }, opts?: pulumi.InvokeOptions) =>
    invoke<{ id: string; name: string }>("getResourcePool", args, opts);
export const getNetwork = (args: { name: string; datacenterId?: pulumi.Input<string> }, opts?: pulumi.InvokeOptions) =>
    invoke<{ id: string; name: string; type: string }>("getNetwork", args, opts);
export const getVirtualMachine = (args: { name?: string; datacenterId?: pulumi.Input<string> }, opts?: pulumi.InvokeOptions) =>
    invoke<{
        id: string; name: string; guestId: string; scsiType: string; firmware: string; networkInterfaceTypes: string[];
        disks: { label: string; size: number; thinProvisioned: boolean; eagerlyScrub: boolean; unitNumber: number }[];
    }>("getVirtualMachine", args, opts);
