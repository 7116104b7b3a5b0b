/**
 * Every machine replacement is the program's decision (issue #13).
 *
 * For each machine resource type, this test enumerates the inputs whose change makes the real provider
 * replace (or rebuild) the resource, reading them from the provider's own sources where they are in this
 * repository, and proves each one covered:
 * - `identity`: derived from the node's machine identity (components/machine-identity.ts), so it changes
 *   only when the identity's hash, the machine's `replacementTrigger`, changes;
 * - `pinned`: taken from the node's pins Stash (components/nodeset.ts pinMachineInputs), which keeps
 *   its first value until the identity changes;
 * - `resource`: the ID of another of the node's machine resources, itself covered here;
 * - `constant`: the same value in every run;
 * - anything else: never set by the program.
 * No input is ignored (`ignoreChanges` would also keep the old value on a planned replacement).
 *
 * Sources:
 * - OpenStack: the installed @pulumi/openstack SDK's documentation ("Changing this creates a new ...",
 *   "Changing this rebuilds ..."), plus the ForceNew arguments its docs leave out, from
 *   terraform-provider-openstack: openstack/resource_openstack_compute_instance_v2.go (every
 *   `scheduler_hints` field is ForceNew), resource_openstack_networking_port_v2.go (`value_specs`),
 *   resource_openstack_compute_volume_attach_v2.go (no Update: every argument is ForceNew),
 *   resource_openstack_compute_servergroup_v2.go (`Update: nil`: every argument is ForceNew),
 *   resource_openstack_blockstorage_volume_v3.go (`consistency_group_id`, `source_replica`).
 * - vSphere: ../shared/schemas/vsphere/schema-subset.json (`willReplaceOnChanges`) and every option of
 *   the `clone` block (its type in the same schema) but `timeout`: vmware/terraform-provider-vsphere
 *   vsphere/resource_vsphere_virtual_machine.go, CustomizeDiff ("any changed attribute in the clone
 *   configuration namespace is a ForceNew", timeout excepted); the pulumi-vsphere docs say "changing
 *   any option in clone forces a new resource".
 * - Harvester (pulumi-kubernetes): a custom resource is replaced only when `metadata.name` or
 *   `metadata.namespace` changes; a core/v1 Secret also when `type`, `stringData` or `data` changes
 *   (pulumi/pulumi-kubernetes provider/pkg/provider/diff.go, forceNewProperties; the provider's
 *   `enableSecretMutable` is off).
 *
 * What the mock runtime cannot show (the engine replacing on a trigger change, deleting first) is the
 * documented engine behaviour: https://www.pulumi.com/docs/iac/concepts/resources/options/replacementtrigger/
 * and pulumi/pulumi#20936 (a trigger going from unset to set replaces nothing).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { loadClusterSpec, type ClusterSpec, type PlannedNode } from "../../spec";
import { identityHash, machineIdentity } from "../../components/machine-identity";
import { fakeId, offlineWorld, resetOfflineWorld } from "../../offline/fabricate";
import type { OfflineRun, RecordedResource } from "../../offline/harness";
import { parse, stringify } from "yaml";
import * as os from "os";
import { plan } from "../../cli/plan";
import { loadOfflineStack, STACKS_DIR } from "../../cli/stacks";
import { defineCluster, projectConfig } from "../../components/program";
import { deployedRecord, DEPLOYED_OUTPUT } from "../../components/deployed";
import { addressChanges } from "../../components/kubespray/address-changes";
import { runOffline } from "../../offline/harness";
import { withSecretStandIns } from "../../spec";
import { existingConfig, harvesterConfig, openstackConfig, vsphereConfig, withValue, type Config } from "../fixtures/configs";
import { runConfig } from "../helpers";

type Coverage =
    | { readonly by: "identity"; readonly why: string }
    | { readonly by: "pinned"; readonly key: string }
    | { readonly by: "resource"; readonly type: string }
    | { readonly by: "constant" };

interface MachineType {
    /** Replacement-forcing input paths, from the provider's sources (`[]` marks a list). */
    readonly forcing: () => string[];
    /** How each forcing path the program sets is covered; every other forcing path must stay unset. */
    readonly coverage: Readonly<Record<string, Coverage>>;
}

// ---------------------------------------------------------------------------------------------------
// Sources: the installed OpenStack SDK's documentation, read with the TypeScript compiler.
// ---------------------------------------------------------------------------------------------------

const OPENSTACK_SDK = path.dirname(require.resolve("@pulumi/openstack/package.json"));

interface Member { readonly name: string; readonly doc: string; readonly type: string }

function interfaceMembers(file: string, name: string): Member[] {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    let found: ts.InterfaceDeclaration | undefined;
    const visit = (node: ts.Node): void => {
        if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
            found = node;
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    assert.ok(found, `${name} not found in ${file}`);
    return found!.members.filter(ts.isPropertySignature).map((member) => ({
        name: member.name.getText(source),
        doc: ts.getJSDocCommentsAndTags(member).map((d) => d.getText(source)).join(" ").replace(/[\s*/]+/g, " "),
        type: member.type?.getText(source) ?? "",
    }));
}

const FORCES_NEW = /changing this (creates a new|rebuilds)/i;

/**
 * Forcing paths of an Args interface: properties documented as forcing (a forcing list or object makes
 * every field in it forcing) and fields of nested input types documented as forcing, plus the
 * supplements (each checked to be a real property, so a rename in the SDK breaks this test).
 */
function openstackForcing(module: string, args: string, supplements: readonly string[] = []): string[] {
    const paths = new Set<string>();
    for (const member of interfaceMembers(path.join(OPENSTACK_SDK, `${module}.d.ts`), args)) {
        const nested = /inputs\.(\w+)\.(\w+)/.exec(member.type);
        const forcing = FORCES_NEW.test(member.doc);
        if (!nested) {
            if (forcing) paths.add(member.name);
            continue;
        }
        const prefix = member.type.includes("[]") ? `${member.name}[]` : member.name;
        for (const field of interfaceMembers(path.join(OPENSTACK_SDK, "types/input.d.ts"), nested[2])) {
            if (forcing || FORCES_NEW.test(field.doc)) paths.add(`${prefix}.${field.name}`);
        }
    }
    for (const supplement of supplements) {
        const [top, field] = supplement.split(/\[\]\.|\./);
        const member = interfaceMembers(path.join(OPENSTACK_SDK, `${module}.d.ts`), args).find((m) => m.name === top);
        assert.ok(member, `${args} has no ${top} (supplement ${supplement})`);
        if (field) {
            const nested = /inputs\.(\w+)\.(\w+)/.exec(member!.type)!;
            assert.ok(interfaceMembers(path.join(OPENSTACK_SDK, "types/input.d.ts"), nested[2]).some((m) => m.name === field), `${supplement} is no SDK property`);
        }
        paths.add(supplement);
    }
    return [...paths].sort();
}

const SCHEDULER_HINTS = ["additionalProperties", "buildNearHostIp", "differentCells", "differentHosts", "group", "queries", "sameHosts", "targetCell"]
    .map((field) => `schedulerHints[].${field}`);

// ---------------------------------------------------------------------------------------------------
// Sources: the vSphere provider schema and the Kubernetes provider's rules.
// ---------------------------------------------------------------------------------------------------

const VSPHERE_SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../shared/schemas/vsphere/schema-subset.json"), "utf8"));

function vsphereForcing(): string[] {
    const vm = VSPHERE_SCHEMA.resources["vsphere:index/virtualMachine:VirtualMachine"];
    const flagged = Object.entries(vm.inputProperties as Record<string, { willReplaceOnChanges?: boolean }>)
        .filter(([, property]) => property.willReplaceOnChanges).map(([name]) => name);
    assert.strictEqual(vm.inputProperties.clone.$ref, "#/types/vsphere:index/VirtualMachineClone:VirtualMachineClone");
    const clone = Object.keys(VSPHERE_SCHEMA.types["vsphere:index/VirtualMachineClone:VirtualMachineClone"].properties)
        .filter((option) => option !== "timeout").map((option) => `clone.${option}`);
    return [...flagged, ...clone].sort();
}

const KUBERNETES_OBJECT = ["metadata.name", "metadata.namespace"];

// ---------------------------------------------------------------------------------------------------
// The coverage claimed per machine resource type.
// ---------------------------------------------------------------------------------------------------

const T = {
    instance: "openstack:compute/instance:Instance",
    port: "openstack:networking/port:Port",
    volume: "openstack:blockstorage/volume:Volume",
    attach: "openstack:compute/volumeAttach:VolumeAttach",
    serverGroup: "openstack:compute/serverGroup:ServerGroup",
    vm: "vsphere:index/virtualMachine:VirtualMachine",
    kubevirt: "kubernetes:kubevirt.io/v1:VirtualMachine",
    secret: "kubernetes:core/v1:Secret",
    image: "kubernetes:harvesterhci.io/v1beta1:VirtualMachineImage",
    stash: "pulumi:index:Stash",
};

const identity = (why: string): Coverage => ({ by: "identity", why });
const constant: Coverage = { by: "constant" };

const MACHINE_TYPES: Readonly<Record<string, MachineType>> = {
    [T.instance]: {
        forcing: () => openstackForcing("compute/instance", "InstanceArgs", SCHEDULER_HINTS),
        coverage: {
            "availabilityZone": identity("availabilityZone"),
            "blockDevices[].bootIndex": constant,
            "blockDevices[].deleteOnTermination": constant,
            "blockDevices[].destinationType": constant,
            "blockDevices[].sourceType": constant,
            "blockDevices[].uuid": { by: "pinned", key: "imageId" },
            "blockDevices[].volumeSize": identity("bootDiskGiB"),
            "blockDevices[].volumeType": identity("bootVolumeType"),
            "configDrive": constant,
            "keyPair": constant,
            "networks[].port": { by: "resource", type: T.port },
            "schedulerHints[].group": { by: "pinned", key: "serverGroupId" },
            "userData": { by: "pinned", key: "userData" },
        },
    },
    [T.port]: {
        forcing: () => openstackForcing("networking/port", "PortArgs", ["valueSpecs"]),
        // The node network: created (its segment, `network` in the identity) or existing (its IDs, idem).
        coverage: { networkId: identity("network") },
    },
    [T.volume]: {
        forcing: () => openstackForcing("blockstorage/volume", "VolumeArgs", ["consistencyGroupId", "sourceReplica"]),
        coverage: { availabilityZone: identity("availabilityZone"), volumeType: identity("dataVolumes") },
    },
    [T.attach]: {
        forcing: () => openstackForcing("compute/volumeAttach", "VolumeAttachArgs", ["instanceId", "volumeId", "multiattach"]),
        coverage: { instanceId: { by: "resource", type: T.instance }, volumeId: { by: "resource", type: T.volume } },
    },
    [T.serverGroup]: {
        forcing: () => openstackForcing("compute/serverGroup", "ServerGroupArgs", ["name", "rules", "valueSpecs"]),
        coverage: { name: constant, policies: identity("serverGroupPolicy") },
    },
    [T.vm]: {
        forcing: vsphereForcing,
        coverage: {
            "clone.linkedClone": identity("linkedClone"),
            "clone.templateUuid": { by: "pinned", key: "templateUuid" },
            "replaceTrigger": identity("generation"),
        },
    },
    [T.kubevirt]: {
        forcing: () => KUBERNETES_OBJECT,
        coverage: { "metadata.name": constant, "metadata.namespace": identity("namespace") },
    },
    [T.secret]: {
        forcing: () => [...KUBERNETES_OBJECT, "type", "stringData", "data"],
        coverage: { "metadata.name": constant, "metadata.namespace": identity("namespace"), "type": constant, "stringData": { by: "pinned", key: "" } },
    },
    [T.image]: {
        forcing: () => KUBERNETES_OBJECT,
        coverage: { "metadata.name": identity("image"), "metadata.namespace": identity("namespace") },
    },
};

// ---------------------------------------------------------------------------------------------------
// Reading recorded runs.
// ---------------------------------------------------------------------------------------------------

/** The values at a path (`a.b`, `list[].field`) of a resource's inputs, as JSON (undefined: unset). */
function valueAt(inputs: unknown, at: string): string | undefined {
    let values: unknown[] = [inputs];
    for (const part of at.split(".")) {
        const list = part.endsWith("[]");
        const key = list ? part.slice(0, -2) : part;
        values = values.flatMap((value) => {
            const inner = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
            return list ? (Array.isArray(inner) ? inner : []) : [inner];
        });
    }
    const defined = values.filter((value) => value !== undefined);
    return defined.length ? JSON.stringify(defined) : undefined;
}

/** Name a machine resource is known by: its node's, or for Kubernetes objects `<kind>:<ns>/<name>`. */
const objectName = (resource: RecordedResource) => resource.name.replace(/^[a-z]+:([^/]+\/)?/, "");

interface Machines {
    readonly run: OfflineRun;
    readonly spec: ClusterSpec;
    readonly nodes: readonly PlannedNode[];
    /** Machine resources of the covered types, by URN. */
    readonly resources: ReadonlyMap<string, RecordedResource>;
    /** Replacement trigger of each machine (node or bastion) by machine name. */
    readonly triggers: ReadonlyMap<string, unknown>;
}

function machinesOf(run: OfflineRun, config: Config): Machines {
    const { spec } = loadClusterSpec(config);
    const resources = new Map(run.resources.filter((r) => MACHINE_TYPES[r.type]).map((r) => [r.urn, r]));
    const triggers = new Map<string, unknown>();
    for (const r of resources.values()) {
        if (r.options.replacementTrigger !== undefined) {
            triggers.set(objectName(r), r.options.replacementTrigger);
        }
    }
    return { run, spec, nodes: spec.nodes, resources, triggers };
}

/** The machines (node or bastion names) a resource belongs to: its own, its node's, its pool's or all. */
function ownersOf(resource: RecordedResource, machines: Machines, cluster: string): string[] {
    const name = objectName(resource);
    if (machines.triggers.has(name)) return [name];
    const node = machines.nodes.find((n) => name === n.name || name.startsWith(`${n.name}-`));
    if (node) return [node.name];
    const pool = machines.nodes.filter((n) => name === `${cluster}-${n.pool}`);
    return pool.length ? pool.map((n) => n.name) : machines.nodes.map((n) => n.name);
}

const pinsOf = (run: OfflineRun, machine: string) => run.resources.find((r) => r.type === T.stash && r.name === `${machine}-pins`);

/** The prior state of every pins Stash of a run, as the engine would keep it. */
function priorStashes(run: OfflineRun): Map<string, unknown> {
    return new Map(run.resources.filter((r) => r.type === T.stash).map((r) => [r.name, r.rawInputs.input]));
}

// ---------------------------------------------------------------------------------------------------
// The proofs.
// ---------------------------------------------------------------------------------------------------

interface Scenario {
    readonly name: string;
    readonly config: Config;
    /** An image re-published / a template re-imported under the same name. */
    readonly lookupRevision?: string;
    /** Nodes (and bastion) whose machine is to be replaced: none for changes behind the program's back. */
    readonly replaced: readonly string[];
}

async function runScenario(scenario: Scenario, prior: OfflineRun): Promise<Machines> {
    offlineWorld.lookupRevision = scenario.lookupRevision ?? "";
    offlineWorld.priorStashes = priorStashes(prior);
    try {
        return machinesOf(await runConfig(scenario.config), scenario.config);
    } finally {
        resetOfflineWorld();
    }
}

/**
 * What a pins Stash resolves to: its prior value while the pinned identity is unchanged (a Stash keeps
 * its first value), else its current input (a new or replaced Stash).
 */
function pinnedValues(pins: RecordedResource, prior: ReadonlyMap<string, unknown>): Record<string, unknown> {
    const input = pins.rawInputs.input as { identity: string; values: Record<string, unknown> };
    const before = prior.get(pins.name) as typeof input | undefined;
    return (before && before.identity === input.identity ? before : input).values;
}

/** Static proofs on one run: enumeration, unset paths, pins, resources, options. */
function proveCoverage(machines: Machines, types: readonly string[], prior: ReadonlyMap<string, unknown> = new Map()): void {
    for (const type of types) {
        const { forcing, coverage } = MACHINE_TYPES[type];
        const paths = forcing();
        assert.deepStrictEqual(Object.keys(coverage).filter((p) => !paths.includes(p)), [], `${type}: coverage claims paths the provider does not force on`);
        const recorded = [...machines.resources.values()].filter((r) => r.type === type);
        assert.ok(recorded.length > 0, `the run has a ${type}`);
        for (const resource of recorded) {
            assert.deepStrictEqual([resource.options.ignoreChanges, resource.options.replaceOnChanges], [[], []], `${resource.name} ignores nothing and has no replaceOnChanges`);
            for (const at of paths) {
                const value = valueAt(resource.rawInputs, at);
                const claim = coverage[at];
                if (!claim) {
                    assert.strictEqual(value, undefined, `${resource.name}: ${at} forces a replacement and must stay unset`);
                    continue;
                }
                if (claim.by === "pinned") {
                    const [owner] = ownersOf(resource, machines, "");
                    const pins = pinsOf(machines.run, owner);
                    assert.ok(pins, `${owner} has pins`);
                    const pinned = pinnedValues(pins!, prior);
                    const expected = claim.key ? pinned[claim.key] : pinned;
                    assert.strictEqual(value, expected === undefined ? undefined : JSON.stringify([expected]), `${resource.name}: ${at} is the pinned ${claim.key || "values"}`);
                    assert.strictEqual(pins!.options.replacementTrigger, machines.triggers.get(owner), `${owner}'s pins are replaced with the machine`);
                } else if (claim.by === "resource") {
                    const targets = [...machines.resources.values()].filter((r) => r.type === claim.type);
                    // The mock runtime gives every custom resource the ID fakeId(type, name).
                    const ids = targets.map((r) => JSON.stringify([fakeId(r.type, r.name)]));
                    assert.ok(ids.includes(value!), `${resource.name}: ${at} is the ID of a ${claim.type}`);
                }
            }
        }
    }
    for (const node of machines.nodes) {
        const replace = machineIdentity(machines.spec, node).replace;
        assert.strictEqual(machines.triggers.get(node.name), identityHash(replace), `${node.name}'s trigger is its identity hash`);
        for (const type of types) {
            for (const [at, claim] of Object.entries(MACHINE_TYPES[type].coverage)) {
                if (claim.by === "identity") {
                    assert.ok(claim.why in replace, `${type} ${at} is derived from the identity's ${claim.why}, which ${machines.spec.infrastructure.provider}'s identity lacks`);
                }
            }
        }
    }
}

/** Metamorphic proof: a forcing input changes only where the owners' triggers change, and only the planned ones do. */
function proveOnlyPlannedReplacements(base: Machines, after: Machines, scenario: Scenario, cluster: string): void {
    const changedTriggers = [...after.triggers.keys()].filter((m) => base.triggers.has(m) && base.triggers.get(m) !== after.triggers.get(m)).sort();
    assert.deepStrictEqual(changedTriggers, [...scenario.replaced].sort(), `${scenario.name}: the machines replaced`);
    for (const [urn, resource] of after.resources) {
        const before = base.resources.get(urn);
        if (!before) continue;
        const { forcing, coverage } = MACHINE_TYPES[resource.type];
        for (const at of forcing()) {
            const [was, is] = [valueAt(before.rawInputs, at), valueAt(resource.rawInputs, at)];
            if (was === is) continue;
            const owners = ownersOf(resource, after, cluster);
            assert.ok(owners.every((owner) => changedTriggers.includes(owner)),
                `${scenario.name}: ${resource.name}.${at} changed (${was} -> ${is}) but ${owners.join(", ")} was not planned for replacement`);
            assert.notStrictEqual(coverage[at]?.by, "constant", `${resource.name}.${at} is claimed constant`);
        }
    }
}

async function proveProvider(baseConfig: Config, types: readonly string[], scenarios: (base: Config) => Scenario[]): Promise<void> {
    const baseRun = await runConfig(baseConfig);
    const base = machinesOf(baseRun, baseConfig);
    proveCoverage(base, types);
    const cluster = loadClusterSpec(baseConfig).spec.meta.name;
    for (const scenario of scenarios(baseConfig)) {
        const after = await runScenario(scenario, baseRun);
        proveCoverage(after, types.filter((type) => [...after.resources.values()].some((r) => r.type === type)), priorStashes(baseRun));
        proveOnlyPlannedReplacements(base, after, scenario, cluster);
    }
}

// ---------------------------------------------------------------------------------------------------
// Per provider: a base with every machine feature on, then changes behind the program's back (with
// in-place changes mixed in) and planned changes.
// ---------------------------------------------------------------------------------------------------

const nodeNames = (config: Config, filter: (n: PlannedNode) => boolean = () => true) => loadClusterSpec(config).spec.nodes.filter(filter).map((n) => n.name);

describe("machine replacement: the program decides (issue #13)", function () {
    this.timeout(240_000);
    afterEach(resetOfflineWorld);

    it("reads the forcing inputs from the providers' own sources", () => {
        // A few facts the sources must yield, so a broken reader cannot pass vacuously.
        const instance = MACHINE_TYPES[T.instance].forcing();
        for (const expected of ["availabilityZone", "blockDevices[].uuid", "blockDevices[].volumeType", "configDrive", "keyPair", "networks[].port", "userData", "imageId", "personalities[].file", "schedulerHints[].group"]) {
            assert.ok(instance.includes(expected), `Instance: ${expected}`);
        }
        assert.ok(!instance.includes("flavorName") && !instance.includes("metadata"), "a flavor or metadata change is in place");
        assert.deepStrictEqual(MACHINE_TYPES[T.port].forcing(), ["deviceId", "deviceOwner", "macAddress", "networkId", "region", "tenantId", "valueSpecs"]);
        assert.deepStrictEqual(MACHINE_TYPES[T.serverGroup].forcing(), ["name", "policies", "region", "rules", "valueSpecs"]);
        assert.deepStrictEqual(vsphereForcing(), ["clone.customizationSpec", "clone.customize", "clone.linkedClone", "clone.ovfNetworkMap", "clone.ovfStorageMap", "clone.templateUuid", "replaceTrigger"]);
    });

    it("OpenStack: instances, ports, boot and data volumes, attachments and server groups", async () => {
        let base = withValue(openstackConfig(), "infrastructure.openstack.availabilityZones", ["az1", "az2", "az3"]);
        base = withValue(base, "infrastructure.openstack.bootVolume", { sizeGiB: 50, type: "ssd" });
        base = withValue(base, "infrastructure.openstack.floatingIpPool", "public");
        base = withValue(base, "infrastructure.bastion", { enabled: true, size: "m1.small", address: "10.0.0.100" });
        base = withValue(base, "infrastructure.network.allowedCidrs", ["203.0.113.0/24"]);
        base = withValue(base, "infrastructure.workerPools[0].antiAffinity", "soft");
        base = withValue(base, "infrastructure.workerPools[0].dataVolumes", [{ name: "data", sizeGiB: 100, type: "ssd" }]);
        const workers = nodeNames(base, (n) => n.role === "worker");
        await proveProvider(base, [T.instance, T.port, T.volume, T.attach, T.serverGroup], (config) => [
            {
                name: "behind the back: zones reordered, image re-published, SSH key rotated, NTP changed, labels, a bigger flavor",
                config: [
                    (c: Config) => withValue(c, "infrastructure.openstack.availabilityZones", ["az2", "az3", "az1"]),
                    (c: Config) => withValue(c, "operations.keyRotation", { sshGeneration: 1 }),
                    (c: Config) => withValue(c, "infrastructure.network.ntpServers", ["ntp.example.com"]),
                    (c: Config) => withValue(c, "infrastructure.workerPools[0].labels", { tier: "apps" }),
                    (c: Config) => withValue(c, "infrastructure.workerPools[0].size", "m1.2xlarge"),
                ].reduce((c, change) => change(c), config),
                lookupRevision: "republished",
                replaced: [],
            },
            {
                name: "planned: one generation bump, the pool's anti-affinity made hard, a zone added",
                config: withValue(withValue(withValue(config, "operations.replaceNodes", [{ node: "t1-cp-2", generation: 1 }]),
                    "infrastructure.workerPools[0].antiAffinity", "hard"), "infrastructure.openstack.availabilityZones", ["az1", "az2", "az3", "az4"]),
                // az4 moves no control-plane node of 3 (indexes 1-3 keep az1-az3) and no worker of 2.
                replaced: ["t1-cp-2", ...workers],
            },
            {
                name: "planned: a new image name and boot volume",
                config: withValue(withValue(config, "infrastructure.openstack.image", "ubuntu-26.04"), "infrastructure.openstack.bootVolume", { sizeGiB: 60, type: "ssd" }),
                lookupRevision: "republished",
                replaced: [...nodeNames(config), "t1-bastion"],
            },
        ]);
    });

    // "large" with twice the CPUs and memory and the same disk: a restart, no replacement.
    const WIDE = { wide: { cpus: 16, memoryGiB: 32, diskGiB: 100 } };

    it("vSphere: VMs cloned from the template, with every clone option", async () => {
        let base = withValue(vsphereConfig(), "infrastructure.workerPools[0].dataVolumes", [{ name: "data", sizeGiB: 50 }]);
        base = withValue(base, "infrastructure.sizes", WIDE);
        base = withValue(base, "infrastructure.workerPools[0].antiAffinity", "hard");
        await proveProvider(base, [T.vm], (config) => [
            {
                name: "behind the back: template re-imported, SSH key rotated, labels, CPU and memory",
                config: withValue(withValue(withValue(config, "operations.keyRotation", { sshGeneration: 1 }),
                    "infrastructure.workerPools[0].labels", { tier: "apps" }), "infrastructure.workerPools[0].size", "wide"),
                lookupRevision: "reimported",
                replaced: [],
            },
            {
                name: "planned: one generation bump and a bigger boot disk for the pool",
                config: withValue(withValue(config, "operations.replaceNodes", [{ node: "t2-cp-2", generation: 1 }]), "infrastructure.workerPools[0].diskGiB", 120),
                replaced: ["t2-cp-2", ...nodeNames(config, (n) => n.role === "worker")],
            },
            { name: "planned: a new template", config: withValue(config, "infrastructure.vsphere.template", "tpl-2"), lookupRevision: "reimported", replaced: nodeNames(config) },
            { name: "planned: linked clones", config: withValue(config, "infrastructure.vsphere.linkedClone", true), replaced: nodeNames(config) },
        ]);
    });

    it("Harvester: VMs, their cloud-init Secrets and the image", async () => {
        let base = withValue(harvesterConfig(), "infrastructure.harvester.image", { name: "ubuntu", url: "https://images.example.com/ubuntu.img" });
        base = withValue(base, "infrastructure.workerPools[0].dataVolumes", [{ name: "data", sizeGiB: 50 }]);
        base = withValue(base, "infrastructure.sizes", WIDE);
        await proveProvider(base, [T.kubevirt, T.secret, T.image], (config) => [
            {
                name: "behind the back: SSH key rotated, DNS changed, labels, CPU and memory",
                config: [
                    (c: Config) => withValue(c, "operations.keyRotation", { sshGeneration: 1 }),
                    (c: Config) => withValue(c, "infrastructure.network.dnsServers", ["10.10.12.9"]),
                    (c: Config) => withValue(c, "infrastructure.workerPools[0].labels", { tier: "apps" }),
                    (c: Config) => withValue(c, "infrastructure.workerPools[0].size", "wide"),
                ].reduce((c, change) => change(c), config),
                replaced: [],
            },
            {
                // Harvester refuses to change an image's URL in place (see the next test): a new image.
                name: "planned: the image re-imported from a new URL under its name",
                config: withValue(config, "infrastructure.harvester.image.url", "https://images.example.com/ubuntu-rebuilt.img"),
                replaced: nodeNames(config),
            },
            {
                name: "planned: a new image and a generation bump",
                config: withValue(withValue(config, "infrastructure.harvester.image", { name: "ubuntu-2604", url: "https://images.example.com/ubuntu-2604.img" }),
                    "operations.replaceNodes", [{ node: "t3-apps-1", generation: 2 }]),
                replaced: nodeNames(config),
            },
        ]);
    });

    it("Harvester: a new image URL is a new image, as Harvester's webhook requires, and the old one is never deleted by Pulumi", async () => {
        // harvester/harvester pkg/webhook/resources/virtualmachineimage/validator.go:
        // - Update: `oldImage.Spec.URL != newImage.Spec.URL` → "url cannot be modified" (also sourceType);
        // - Create (CheckImageDisplayNameAndURL): another image with the same spec.displayName in the namespace → Conflict;
        // - Delete: refused while any PVC's storage class is the image's ("being used by volume").
        const base = withValue(harvesterConfig(), "infrastructure.harvester.image", { name: "ubuntu", url: "https://images.example.com/ubuntu.img" });
        const images = (run: OfflineRun) => run.resources.filter((r) => r.type === T.image);
        const before = await runConfig(base);
        const after = await runConfig(withValue(base, "infrastructure.harvester.image.url", "https://images.example.com/ubuntu-rebuilt.img"));
        const [old, renewed] = [images(before), images(after)];
        assert.strictEqual(old.length, 1);
        assert.strictEqual(renewed.length, 1);
        const object = (r: RecordedResource) => r.rawInputs as { metadata: { name: string; namespace: string }; spec: { url: string; displayName: string; sourceType: string } };
        const [was, is] = [object(old[0]), object(renewed[0])];
        // Update rule: an object that stays (same URN) keeps its URL and source type; here it is a new object.
        for (const r of renewed) {
            const same = old.find((o) => o.urn === r.urn);
            if (same) assert.deepStrictEqual([object(same).spec.url, object(same).spec.sourceType], [object(r).spec.url, object(r).spec.sourceType], "an image's URL is never changed in place");
        }
        assert.notStrictEqual(is.metadata.name, was.metadata.name);
        // Create rule: the old image is still there (retained), so the new one needs its own display name.
        assert.notStrictEqual(is.spec.displayName, was.spec.displayName);
        assert.match(is.metadata.name, /^ubuntu-[0-9a-f]{8}$/);
        assert.ok(is.metadata.name.length <= 63);
        // Delete rule: Pulumi never deletes it (the old nodes' volumes use it until they are replaced).
        assert.ok([...old, ...renewed].every((r) => r.options.retainOnDelete), "images are retained on delete");
        // The VMs' disks come from the new image and its storage class.
        const vm = after.resources.find((r) => r.type === T.kubevirt)!;
        const claims = JSON.parse((vm.rawInputs as any).metadata.annotations["harvesterhci.io/volumeClaimTemplates"]);
        assert.deepStrictEqual([claims[0].metadata.annotations["harvesterhci.io/imageId"], claims[0].spec.storageClassName], [`default/${is.metadata.name}`, `longhorn-${is.metadata.name}`]);
        // An image given by name alone is referenced as it is, and its machines' identity is unchanged by the URL field.
        const named = withValue(harvesterConfig(), "infrastructure.harvester.image", { name: "ubuntu" });
        const spec = loadClusterSpec(named).spec;
        assert.ok(!("imageUrl" in machineIdentity(spec, spec.nodes[0]).replace), "no URL: the identity (and its hash) is as before");
    });
});

// ---------------------------------------------------------------------------------------------------
// Addresses: a node that exists keeps its address (components/kubespray/address-changes.ts).
// Neutron updates a port's fixed_ips in place (terraform-provider-openstack
// resource_openstack_networking_port_v2.go: `fixed_ip` has no ForceNew, Update sends FixedIPs), so the
// mock's "no replacement" would hide a renumbering of every running node at once: the program refuses it.
// ---------------------------------------------------------------------------------------------------

describe("node addresses: a node that exists keeps its address", function () {
    this.timeout(120_000);
    const specOf = (config: Config) => loadClusterSpec(withSecretStandIns(config).values).spec;
    const deployedOf = (config: Config) => ({ [DEPLOYED_OUTPUT]: deployedRecord(specOf(config)) });

    /** Runs the program as the next `pulumi up` after `before`; resolves to the refusal, or undefined and the run. */
    async function nextUp(before: Config, after: Config, previousOutputs: Record<string, unknown> = deployedOf(before)): Promise<{ refusal?: string; registered: number; run?: OfflineRun }> {
        let registered = 0;
        try {
            const run = await runOffline(withSecretStandIns(after).values, () => defineCluster(projectConfig()), { previousOutputs, onRegistered: () => registered++ });
            return { registered, run };
        } catch (error) {
            return { refusal: (error as Error).message, registered };
        }
    }

    it("refuses a control-plane address change before any resource, naming each node, old → new, the field and the way out", async () => {
        const base = openstackConfig();
        const moved = withValue(base, "infrastructure.controlPlane.addresses", { from: "10.0.0.60", to: "10.0.0.69" });
        const { refusal, registered } = await nextUp(base, moved);
        assert.strictEqual(registered, 0, "refused before any resource");
        for (const [node, from, to] of [["t1-cp-1", "10.0.0.10", "10.0.0.60"], ["t1-cp-2", "10.0.0.11", "10.0.0.61"], ["t1-cp-3", "10.0.0.12", "10.0.0.62"]]) {
            assert.ok(refusal?.includes(`${node} ${from} → ${to} (infrastructure.controlPlane.addresses)`), `${node} in: ${refusal}`);
        }
        assert.match(refusal!, /^refusing to change the address of nodes that exist/);
        assert.match(refusal!, /keep infrastructure\.controlPlane\.addresses as deployed/);
    });

    it("refuses a worker address change on every provider (list entries by index), with the way out", async () => {
        const cases: [Config, string, unknown, string][] = [
            [openstackConfig(), "infrastructure.workerPools[0].addresses", { from: "10.0.0.40", to: "10.0.0.59" }, "t1-w-1 10.0.0.20 → 10.0.0.40 (infrastructure.workerPools[0].addresses)"],
            [vsphereConfig(), "infrastructure.workerPools[0].addresses", ["172.16.0.20", "172.16.0.99"], "t2-w-2 172.16.0.21 → 172.16.0.99 (infrastructure.workerPools[0].addresses[1])"],
            [harvesterConfig(), "infrastructure.workerPools[0].addresses", { from: "10.10.12.240", to: "10.10.12.249" }, "t3-apps-2 10.10.12.235 → 10.10.12.241 (infrastructure.workerPools[0].addresses)"],
            [existingConfig(), "infrastructure.existing.nodes[1].address", "192.168.1.22", "w-a 192.168.1.21 → 192.168.1.22 (infrastructure.existing.nodes[1].address)"],
        ];
        for (const [base, at, value, expected] of cases) {
            const { refusal, registered } = await nextUp(base, withValue(base, at, value));
            assert.strictEqual(registered, 0);
            assert.ok(refusal?.includes(expected), `${expected} in: ${refusal}`);
            assert.match(refusal!, base.infrastructure && (base.infrastructure as any).provider === "existing" ? /under new names in infrastructure\.existing\.nodes/ : /add a worker pool with the new addresses, run pulumi up, then shrink the old pool/);
        }
    });

    it("a record of format 1 (no addresses): the nodes output of the same update gives them", async () => {
        const base = openstackConfig();
        const { addresses: _, ...record } = deployedRecord(specOf(base));
        const nodes = specOf(base).nodes.map((n) => ({ name: n.name, role: n.role, pool: n.pool, address: n.address }));
        const moved = withValue(base, "infrastructure.workerPools[0].addresses", { from: "10.0.0.40", to: "10.0.0.59" });
        const { refusal } = await nextUp(base, moved, { [DEPLOYED_OUTPUT]: { ...record, format: 1 }, nodes });
        assert.match(refusal ?? "", /t1-w-2 10\.0\.0\.21 → 10\.0\.0\.41/);
    });

    it("refuses nothing when addresses are unchanged or only new nodes take new ones, and never touches a kept node's port", async () => {
        const base = openstackConfig();
        const baseRun = await runConfig(base);
        // A new worker from the same block, and a new pool with a block of its own.
        const grown = withValue(withValue(base, "infrastructure.workerPools[0].count", 3), "infrastructure.workerPools[1]",
            { name: "x", count: 1, size: "m1.xlarge", addresses: { from: "10.0.0.60", to: "10.0.0.69" } });
        assert.deepStrictEqual(addressChanges(specOf(grown), { address: (node) => new Map(specOf(base).nodes.map((n) => [n.name, n.address])).get(node) }), []);
        for (const after of [base, grown]) {
            const { refusal, run } = await nextUp(base, after);
            assert.strictEqual(refusal, undefined);
            const ports = (r: OfflineRun) => new Map(r.resources.filter((x) => x.type === T.port).map((x) => [x.name, JSON.stringify(x.rawInputs)]));
            const [was, is] = [ports(baseRun), ports(run!)];
            for (const [name, inputs] of was) {
                assert.strictEqual(is.get(name), inputs, `${name}'s port is unchanged`);
            }
        }
    });

    it("plan --against refuses it too, with the same words (the offline Day-2 preview)", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "address-plan-"));
        try {
            const stack = "dev-openstack";
            const file = parse(fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8"));
            const before = (await plan(loadOfflineStack(stack), path.join(root, "before"))).outDir;
            for (const [key, value, expected] of [
                ["clusters:infrastructure", (infra: any) => ({ ...infra, controlPlane: { ...infra.controlPlane, addresses: { from: "10.2.128.30", to: "10.2.128.39" } } }), "dev-os-cp-1 10.2.128.10 → 10.2.128.30 (infrastructure.controlPlane.addresses)"],
                ["clusters:infrastructure", (infra: any) => ({ ...infra, workerPools: [{ ...infra.workerPools[0], addresses: { from: "10.2.129.110", to: "10.2.129.199" } }, ...infra.workerPools.slice(1)] }), "dev-os-general-3 10.2.129.12 → 10.2.129.112 (infrastructure.workerPools[0].addresses)"],
            ] as const) {
                const dir = fs.mkdtempSync(path.join(root, "stacks-"));
                const edited = { ...file, config: { ...file.config, [key]: value(file.config[key]) } };
                fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(edited));
                await assert.rejects(plan(loadOfflineStack(stack, dir), path.join(root, "after"), { against: before }),
                    (error: Error) => error.message.includes(expected) && /^refusing to change the address of nodes that exist/.test(error.message));
            }
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
