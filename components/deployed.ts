/**
 * What is deployed now: the stack output `deployed`, written by every successful `pulumi up` and read by
 * the next run before it registers anything (through a StackReference to the stack itself). It tells the
 * program which nodes exist already (only their machines are rolled one batch at a time: new machines are
 * all created at once), which machines a run replaces (their protection is lifted for that run), which
 * machines the engine protects (a protected node taken out of the stack file is refused before anything
 * runs: components/protection.ts), and which versions run (so `pulumi preview` refuses what `pulumi up`
 * would, with the runner's words).
 *
 * Compact and bounded: versions, the control plane in order, worker names as ranges per name prefix
 * (`t1-w-[1-1000]`; names that form no range are listed), each node's machine identity as an index
 * into the few distinct identity digests, and each node's address as runs of consecutive addresses
 * (`10.0.1.1+999`; format 2: a running node's address never changes, kubespray/address-changes.ts). 3 control-plane nodes and 3,000 workers with generated names
 * take about 6 KiB; 3,003 existing hosts whose names form no range at most about 200 KiB (DNS labels of
 * 63 characters), measured in test/components/rollout.test.ts.
 *
 * After a failed `pulumi up` the record stays the last successful one (see `deployedOutput`); nodes a
 * failed run created are then "new" again in the next run: see README "The deployed record".
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { intToIpv4, ipv4ToInt, MAX_NODES, type ClusterSpec } from "../spec";
import { controlPlaneRecovery, nameSet, numberRuns, runEntry } from "./kubespray/state";
import { identityHash, machineIdentity } from "./machine-identity";
import { protectedMachines } from "./protection";

/** 2 added `addresses`; a record of format 1 is still read (its nodes' addresses come from the `nodes` output). */
export const DEPLOYED_FORMAT = 2;
/** The stack output that holds the record. */
export const DEPLOYED_OUTPUT = "deployed";

export interface DeployedRecord {
    readonly format: 1 | typeof DEPLOYED_FORMAT;
    readonly cluster: string;
    readonly kubernetesVersion: string;
    /** "" in a record derived from the outputs of a program older than the record (unknown). */
    readonly kubesprayVersion: string;
    /** Control-plane node names in inventory order. */
    readonly controlPlane: readonly string[];
    /** Worker names: `prefix[a-b]` ranges and plain names (see `rangeNames`). */
    readonly workers: readonly string[];
    /** The distinct machine identities (`identityHash` of machine-identity.ts `replace`, the replacement trigger). */
    readonly machines: readonly string[];
    /** Per node, control plane first then the workers as listed: its index in `machines` (empty when unknown). */
    readonly machineOf: readonly number[];
    /**
     * Per node, in the order of `machineOf`: its address, as runs (`10.0.0.10+2` is .10, .11 and .12; see
     * `addressRuns`). Absent in a record of format 1.
     */
    readonly addresses?: readonly string[];
    /**
     * Digest of the control-plane recovery the cluster ran last (`operations.recoverControlPlane`, as the
     * cluster command's state holds it): a request with another digest is pending. Absent: none.
     */
    readonly recover?: string;
    /**
     * Nodes whose machine (with its port and volumes) the run registered with `protect`, as `workers` lists
     * names: the engine refuses to delete exactly these in the next run (components/protection.ts). Absent
     * in a record written before the program recorded it: unknown.
     */
    readonly protectedMachines?: readonly string[];
}

/**
 * The record `pulumi up` writes for a spec: what exists once it succeeded. `deployed` is what the run read
 * (which machines it replaces, so registers unprotected); the default is a Day-1 run.
 */
export function deployedRecord(spec: ClusterSpec, deployed: Deployed = Deployed.none()): DeployedRecord {
    const controlPlane = spec.nodes.filter((n) => n.role === "control-plane");
    const workers = rangeNames(spec.nodes.filter((n) => n.role === "worker").map((n) => n.name));
    const byName = new Map(spec.nodes.map((n) => [n.name, n]));
    const order = [...controlPlane.map((n) => n.name), ...nameSet(workers).listed];
    const machines: string[] = [];
    const machineOf = order.map((name) => {
        const identity = identityHash(machineIdentity(spec, byName.get(name)!).replace);
        const index = machines.indexOf(identity);
        return index >= 0 ? index : machines.push(identity) - 1;
    });
    const recover = recoveryDigest(spec);
    return {
        format: DEPLOYED_FORMAT,
        cluster: spec.meta.name,
        kubernetesVersion: spec.kubernetes.version,
        kubesprayVersion: spec.kubespray.version,
        controlPlane: controlPlane.map((n) => n.name),
        workers,
        machines,
        machineOf,
        addresses: addressRuns(order.map((name) => byName.get(name)!.address)),
        ...(recover ? { recover } : {}),
        protectedMachines: rangeNames(protectedMachines(spec, deployed)),
    };
}

/**
 * Addresses as runs of consecutive IPv4 addresses: `a` alone, or `a+n` for `a` and the n that follow.
 * Pools take their addresses from blocks, so 3+3,000 nodes take a few entries.
 */
export function addressRuns(addresses: readonly string[]): string[] {
    const runs: string[] = [];
    for (let i = 0; i < addresses.length;) {
        let j = i;
        while (j + 1 < addresses.length && ipv4ToInt(addresses[j + 1]) === ipv4ToInt(addresses[j]) + 1) j++;
        runs.push(j === i ? addresses[i] : `${addresses[i]}+${j - i}`);
        i = j + 1;
    }
    return runs;
}

/** The addresses `addressRuns` wrote, one per node. */
export function expandAddressRuns(runs: readonly string[]): string[] {
    return runs.flatMap((run) => {
        const [first, more] = run.split("+");
        const start = ipv4ToInt(first);
        return Array.from({ length: Number(more ?? 0) + 1 }, (_, k) => intToIpv4(start + k));
    });
}

/** The digest of the control-plane recovery the stack file requests (kubespray/state.ts `controlPlaneRecovery`), if any. */
export function recoveryDigest(spec: ClusterSpec): string | undefined {
    const recovery = controlPlaneRecovery(spec);
    return recovery ? identityHash(recovery) : undefined;
}

/**
 * Names as `prefix[a-b]` for runs of consecutive numbers (`t1-w-1` … `t1-w-1000`, numbers without leading
 * zeros) and plain names otherwise, every name listable again (kubespray/state.ts `nameSet` reads them).
 * Node names are DNS labels: `[`, `]` never occur in one.
 */
export function rangeNames(names: readonly string[]): string[] {
    const { runs, plain } = numberRuns(names);
    return [...runs.map(runEntry), ...[...new Set(plain)].sort()];
}

const name = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
const RANGE_ENTRY = /^[a-z0-9][-a-z0-9.]*\[[1-9]\d{0,6}-[1-9]\d{0,6}\]$/;

const ADDRESS_RUN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\+[1-9]\d{0,6})?$/;

const recordSchema = z.object({
    format: z.union([z.literal(1), z.literal(DEPLOYED_FORMAT)]),
    cluster: name,
    kubernetesVersion: z.string().max(32),
    kubesprayVersion: z.string().max(32),
    controlPlane: z.array(name).max(MAX_NODES),
    workers: z.array(z.union([name, z.string().max(80).regex(RANGE_ENTRY)])).max(MAX_NODES),
    machines: z.array(z.string().regex(/^[0-9a-f]{16}$/)).max(MAX_NODES),
    machineOf: z.array(z.number().int().min(0).max(MAX_NODES)).max(MAX_NODES + 1),
    addresses: z.array(z.string().max(23).regex(ADDRESS_RUN)).max(MAX_NODES + 1).optional(),
    recover: z.string().regex(/^[0-9a-f]{16}$/).optional(),
    protectedMachines: z.array(z.union([name, z.string().max(80).regex(RANGE_ENTRY)])).max(MAX_NODES).optional(),
}).strict();

/** The record cannot be read: the program stops before it registers anything, and says why. */
export class DeployedRecordError extends Error {}

/** Where a Deployed view came from. */
export type DeployedSource = "record" | "legacy-outputs" | "none";

/**
 * What is deployed, as the program asks it: which nodes exist, in which control-plane order, with which
 * machine identity, at which versions.
 */
export class Deployed {
    private readonly names: ReadonlySet<string>;
    private readonly identities: ReadonlyMap<string, string>;
    private readonly protectedNames?: ReadonlySet<string>;
    private readonly addresses: ReadonlyMap<string, string>;

    /**
     * `outputAddresses`: node addresses from the stack's `nodes` output, used only for a record that has
     * none (format 1), for the nodes it lists.
     */
    constructor(readonly record: DeployedRecord | undefined, readonly source: DeployedSource, outputAddresses?: ReadonlyMap<string, string>) {
        const workers = record ? nameSet(record.workers).listed : [];
        const order = [...(record?.controlPlane ?? []), ...workers];
        this.names = new Set(order);
        const identities = new Map<string, string>();
        if (record && record.machineOf.length === order.length) {
            order.forEach((node, i) => {
                const identity = record.machines[record.machineOf[i]];
                if (identity !== undefined) identities.set(node, identity);
            });
        }
        this.identities = identities;
        this.protectedNames = record?.protectedMachines && new Set(nameSet(record.protectedMachines).listed);
        const addresses = new Map<string, string>();
        if (record?.addresses) {
            expandAddressRuns(record.addresses).forEach((address, i) => addresses.set(order[i], address));
        } else if (outputAddresses) {
            for (const node of order) {
                const address = outputAddresses.get(node);
                if (address !== undefined) addresses.set(node, address);
            }
        }
        this.addresses = addresses;
    }

    static none(): Deployed {
        return new Deployed(undefined, "none");
    }

    /** No record: Day 1 (or a stack the program never completed an update of). */
    get isEmpty(): boolean {
        return this.record === undefined;
    }

    /** The node exists (a successful `pulumi up` made it and it is still in the cluster). */
    has(node: string): boolean {
        return this.names.has(node);
    }

    /** Every node the record lists: control plane (in order), then workers. */
    get nodes(): ReadonlySet<string> {
        return this.names;
    }

    get controlPlane(): readonly string[] {
        return this.record?.controlPlane ?? [];
    }

    /** The last run registered the node's machine protected (the engine refuses its delete); undefined when the record does not say. */
    machineProtected(node: string): boolean | undefined {
        return this.protectedNames?.has(node);
    }

    /** The identity digest the node's machine was made with, when the record knows it. */
    identity(node: string): string | undefined {
        return this.identities.get(node);
    }

    /** The address the node was deployed with, when known (the record, or the `nodes` output of the same update). */
    address(node: string): string | undefined {
        return this.addresses.get(node);
    }
}

const ipv4 = z.string().max(15).regex(ADDRESS_RUN).refine((value) => !value.includes("+"));

/** `name → address` of the stack's `nodes` output (every program version wrote it), if it is one. */
function nodeAddresses(nodes: unknown): Map<string, string> | undefined {
    const parsed = z.array(z.object({ name, address: ipv4 }).passthrough()).max(MAX_NODES).safeParse(nodes);
    return parsed.success ? new Map(parsed.data.map((n) => [n.name, n.address])) : undefined;
}

/**
 * The record from a stack's outputs: `deployed`, else (a stack last updated by a program older than the
 * record) what its `nodes` and `kubernetesVersion` outputs say, else nothing (Day 1).
 */
export function deployedFromOutputs(outputs: Readonly<Record<string, unknown>> | undefined): Deployed {
    const value = outputs?.[DEPLOYED_OUTPUT];
    if (value !== undefined && value !== null) {
        return new Deployed(parseDeployedRecord(value), "record", nodeAddresses(outputs?.nodes));
    }
    const nodes = outputs?.nodes;
    if (Array.isArray(nodes) && nodes.length > 0) {
        const parsed = z.array(z.object({ name, role: z.enum(["control-plane", "worker"]) }).passthrough()).max(MAX_NODES).safeParse(nodes);
        const version = z.string().max(32).safeParse(outputs?.kubernetesVersion);
        const cluster = name.safeParse(outputs?.cluster);
        if (parsed.success && version.success && cluster.success) {
            return new Deployed({
                format: DEPLOYED_FORMAT,
                cluster: cluster.data,
                kubernetesVersion: version.data,
                kubesprayVersion: "",
                controlPlane: parsed.data.filter((n) => n.role === "control-plane").map((n) => n.name),
                workers: rangeNames(parsed.data.filter((n) => n.role === "worker").map((n) => n.name)),
                machines: [],
                machineOf: [],
            }, "legacy-outputs", nodeAddresses(nodes));
        }
    }
    return Deployed.none();
}

export function parseDeployedRecord(value: unknown): DeployedRecord {
    const format = (value as { format?: unknown } | null)?.format;
    if (typeof format === "number" && format > DEPLOYED_FORMAT) {
        throw new DeployedRecordError(`the stack output ${DEPLOYED_OUTPUT} has format ${format}, written by a newer version of this program; run that version (or newer)`);
    }
    const parsed = recordSchema.safeParse(value);
    if (!parsed.success) {
        const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(record)"}: ${issue.message}`).join("; ");
        throw new DeployedRecordError(`the stack output ${DEPLOYED_OUTPUT} is not a record this program wrote (${problems}). It is read to know which nodes exist; restore it from an earlier state (pulumi stack history, pulumi stack export) before running again`);
    }
    const listed = countListed(parsed.data.workers, parsed.data.controlPlane.length);
    countListed(parsed.data.protectedMachines ?? [], 0);
    if (parsed.data.machineOf.length !== 0 && parsed.data.machineOf.length !== listed) {
        throw new DeployedRecordError(`the stack output ${DEPLOYED_OUTPUT} gives ${parsed.data.machineOf.length} machine identities for ${listed} nodes`);
    }
    if (parsed.data.addresses) {
        const runs = parsed.data.addresses.map((run) => run.split("+")).map(([first, more]) => ({ start: ipv4ToInt(first), more: Number(more ?? 0) }));
        if (runs.some((run) => run.start + run.more > 0xffffffff)) {
            throw new DeployedRecordError(`the stack output ${DEPLOYED_OUTPUT} has an address run beyond 255.255.255.255`);
        }
        const count = runs.reduce((sum, run) => sum + 1 + run.more, 0);
        if (count !== listed) {
            throw new DeployedRecordError(`the stack output ${DEPLOYED_OUTPUT} gives ${count} node addresses for ${listed} nodes`);
        }
    }
    return parsed.data as DeployedRecord;
}

/** How many names `entries` (names and `prefix[a-b]` ranges) list, after `start`; refused past the node limit or for a range that runs backwards. */
function countListed(entries: readonly string[], start: number): number {
    let listed = start;
    for (const entry of entries) {
        const range = /\[(\d+)-(\d+)\]$/.exec(entry);
        if (range && Number(range[2]) < Number(range[1])) {
            throw new DeployedRecordError(`the stack output ${DEPLOYED_OUTPUT} has a range that runs backwards (${entry})`);
        }
        listed += range ? Number(range[2]) - Number(range[1]) + 1 : 1;
        if (listed > MAX_NODES) {
            throw new DeployedRecordError(`the stack output ${DEPLOYED_OUTPUT} lists more nodes than a cluster can have (${MAX_NODES})`);
        }
    }
    return listed;
}

/** The fully qualified name of the stack the program runs in (`organization/project/stack`). */
export function ownStackName(): string {
    const organization = pulumi.getOrganization();
    return [organization, pulumi.getProject(), pulumi.getStack()].filter(Boolean).join("/");
}

/**
 * Reads what the last successful `pulumi up` of this stack deployed, through a StackReference to the
 * stack itself: the engine's builtin provider reads it with GetStackOutputs (pulumi/pulumi
 * pkg/resource/deploy/builtins.go, `readStackReference`, no self-reference check), and while an update
 * runs the stack's own outputs are still the previous update's (its root resource keeps its old outputs
 * until the program registers new ones at the end: pkg/resource/deploy/step.go, SameStep). A read, so
 * it never shows as a change. The program awaits it before it registers any other resource.
 */
export async function readDeployed(): Promise<Deployed> {
    const self = new pulumi.StackReference("deployed-record", { name: ownStackName() });
    // getOutputDetails rather than getOutputValue: a value that came back marked secret is still read.
    const [record, nodes, kubernetesVersion, cluster] = await Promise.all(
        [DEPLOYED_OUTPUT, "nodes", "kubernetesVersion", "cluster"].map(async (output) => {
            const details = await self.getOutputDetails(output);
            return details.value ?? details.secretValue;
        }),
    );
    return deployedFromOutputs({ [DEPLOYED_OUTPUT]: record, nodes, kubernetesVersion, cluster });
}
