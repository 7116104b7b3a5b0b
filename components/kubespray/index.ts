/**
 * Kubespray, driven by command resources so that each Day-2 change in the stack file becomes exactly
 * the Kubespray run it needs:
 *
 * - `prepare`: the Kubespray checkout and virtualenv (or image) for the pinned release;
 * - per node, `gate` before its machine and `ready` after it: drain before a machine is resized or
 *   recreated, rejoin and uncordon after. Nodes that exist already (the deployed record,
 *   components/deployed.ts) are chained one control-plane node at a time, then workers in batches of
 *   `operations.upgrade.workerBatch`, each batch waiting for one barrier of the batch before it, so Pulumi
 *   cannot change every machine at once and the graph stays O(n). A node the record does not have yet
 *   is in no chain: its gate waits for nothing and plans nothing, so every new machine is created at once
 *   (Day 1, a pool that grows) and never waits for Kubespray's checkout;
 * - `cluster`: install once (cluster.yml), then upgrades, reconfiguration and control-plane changes;
 * - `workers`: removals (remove-node.yml, before the machines go) and joins (one scale.yml run
 *   limited to exactly the new nodes);
 * - `kubeconfig`: a kubeconfig with a service-account token that does not expire (the runner makes
 *   the account on a control-plane node), its server the API endpoint.
 *
 * Each command's environment holds only its name and its own desired state (see state.ts); settings
 * that change how an operation runs but not whether it runs (windows, break-glass, drain, the release
 * a stack pins) go to the workspace file the program writes on every run (workspace.ts). The SSH key
 * reaches the runner on stdin, so environments stay readable in a diff and secrets stay out of them.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, PlannedNode } from "../../spec";
import type { Deployed } from "../deployed";
import type { MachineLifecycle, NodeAccess, NodeSet } from "../nodeset";
import { renderInventory } from "./inventory";
import { identityHash } from "../machine-identity";
import { replacedNow } from "../protection";
import { clusterState, keysState, kubeconfigState, machineState, workersState, type ClusterState, type CommandState } from "./state";
import { RUNNER_SETTINGS_FILE, stackSettings, writeStackWorkspace, type StackSettings } from "./workspace";

/** How a command resource starts the compiled runner (`npm run build`): relative to the project, so inputs are the same on every machine. */
export const RUNNER = "node dist/components/kubespray/runner/main.js";
export const KUBESPRAY_REPOSITORY = "https://github.com/kubernetes-sigs/kubespray.git";

export interface KubesprayArgs {
    readonly spec: ClusterSpec;
    /** OpenSSH private key Ansible logs in with (secret). */
    readonly sshPrivateKey: pulumi.Output<string>;
    /** The previous generation's key while an SSH rotation is under way (secret). */
    readonly previousSshPrivateKey?: pulumi.Output<string>;
    /** Public keys every node must accept, current generation first (cluster key plus spec extras). */
    readonly authorizedKeys: pulumi.Output<string[]>;
    /** Stack name: the workspace directory of this cluster. */
    readonly stack: string;
    /** What the last successful `pulumi up` deployed: which nodes exist (they are rolled in order). */
    readonly deployed: Deployed;
    /** Protect the cluster command from deletion (production stacks: components/protection.ts). @default false */
    readonly protect?: boolean;
    /** The backup storage's credentials (secrets): the cluster command gets them only to restore an etcd snapshot from it. */
    readonly backupCredentials?: { readonly accessKeyId: pulumi.Output<string>; readonly secretAccessKey: pulumi.Output<string> };
}

export class Kubespray extends pulumi.ComponentResource implements MachineLifecycle {
    readonly prepare: command.local.Command;
    /** Rolls the authorized SSH keys out to every node; every other command waits for it. */
    readonly authorize?: command.local.Command;
    private readonly spec: ClusterSpec;
    private readonly args: KubesprayArgs;
    private inventoryWritten?: pulumi.Output<string>;
    private readonly readies = new Map<string, Later<command.local.Command>>();
    private readonly gates = new Map<string, command.local.Command>();
    private readonly rollout: Rollout;
    private readonly barriers: Later<command.local.Command>[];
    cluster?: command.local.Command;
    workers?: command.local.Command;
    /** admin kubeconfig with the server set to the API endpoint (secret). */
    kubeconfig?: pulumi.Output<string>;

    constructor(name: string, args: KubesprayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:kubespray:Kubespray", name, {}, opts);
        this.spec = args.spec;
        this.args = args;
        this.rollout = rolloutOrder(args.spec, args.deployed);
        this.barriers = this.rollout.barriers.map(() => new Later<command.local.Command>());
        const { kubespray } = args.spec;
        this.prepare = new command.local.Command(`${name}-prepare`, {
            create: `${RUNNER} prepare`,
            update: `${RUNNER} prepare`,
            environment: {
                ...this.baseEnvironment(),
                KUBESPRAY_VERSION: kubespray.version,
                KUBESPRAY_RUNNER: kubespray.runner.type,
                KUBESPRAY_IMAGE: kubespray.runner.image,
                KUBESPRAY_REPOSITORY,
                KUBESPRAY_COMMAND: `${name}-prepare`,
                KUBESPRAY_DESIRED: JSON.stringify({ image: kubespray.runner.image, runner: kubespray.runner.type, version: kubespray.version }),
            },
            logging: "stderr",
        }, { parent: this });
    }

    /** Made at the first machine, once nodes' access is known, and before every other planned command. */
    private authorizeKeys(access: NodeAccess): void {
        if (this.authorize || this.spec.infrastructure.provider === "existing") {
            return;
        }
        const { args } = this;
        const state = args.authorizedKeys.apply((keys) => keysState(this.spec, keys));
        const keys = pulumi.secret(pulumi.all([args.sshPrivateKey, args.previousSshPrivateKey ?? pulumi.output("")])
            .apply(([key, previousKey]) => JSON.stringify(previousKey ? { key, previousKey } : { key })));
        (this as { authorize?: command.local.Command }).authorize = this.command(`${this.spec.meta.name}-ssh-keys`, "authorize", state, access, [this.prepare], keys);
    }

    private baseEnvironment(): Record<string, string> {
        return { KUBESPRAY_HOME: this.spec.kubespray.runner.workDir, KUBESPRAY_STACK: this.args.stack };
    }

    /**
     * Renders the inventory once the API host and bastion are known and, in `pulumi up` only, writes it
     * to the workspace under the cluster's lock (workspace.ts: a preview never touches what a running
     * `pulumi up` reads). The returned Output resolves (to the constant directory name) only after the
     * files are written; in a preview to the same name, so the commands' inputs are the same.
     */
    private inventory(access: NodeAccess): pulumi.Output<string> {
        if (!this.inventoryWritten) {
            this.inventoryWritten = pulumi.all([access.apiHost, access.bastion ?? pulumi.output(undefined)]).apply(async ([apiHost, bastionHost]) => {
                const files = {
                    ...renderInventory({ spec: this.spec, apiHost, bastionHost }),
                    [RUNNER_SETTINGS_FILE]: JSON.stringify(withWorkerBatches(stackSettings(this.spec, KUBESPRAY_REPOSITORY, bastionHost), this.spec, this.rollout, this.args.deployed)),
                };
                if (!pulumi.runtime.isDryRun()) {
                    await writeStackWorkspace(this.spec.kubespray.runner.workDir, this.args.stack, files, { report: (message) => pulumi.log.info(message, this) });
                }
                return "inventory";
            });
        }
        return this.inventoryWritten;
    }

    /**
     * Environment of a planned command: the workspace, its name (the break-glass token is made from it
     * and its state) and its desired state. Nothing else: windows, break-glass and drain settings are in
     * the workspace file, so changing them changes no command's inputs.
     */
    private commandEnvironment(commandName: string, state: pulumi.Input<CommandState>, access: NodeAccess): pulumi.Output<Record<string, string>> {
        return pulumi.all([pulumi.output(state), this.inventory(access)]).apply(([desired, inventory]): Record<string, string> => ({
            ...this.baseEnvironment(),
            KUBESPRAY_COMMAND: commandName,
            KUBESPRAY_INVENTORY: inventory,
            KUBESPRAY_DESIRED: JSON.stringify(desired),
        }));
    }

    private command(
        name: string, operation: string, state: pulumi.Input<CommandState>, access: NodeAccess,
        dependsOn: pulumi.Input<pulumi.Resource>[], stdin: pulumi.Input<string> = this.args.sshPrivateKey, protect = false,
    ): command.local.Command {
        return new command.local.Command(name, {
            create: `${RUNNER} ${operation}`,
            update: `${RUNNER} ${operation}`,
            environment: this.commandEnvironment(name, state, access),
            stdin,
            logging: "stderr",
        }, { parent: this, dependsOn: [...dependsOn, ...(this.authorize ? [this.authorize] : [])], protect });
    }

    private readyOf(node: string): Later<command.local.Command> {
        let ready = this.readies.get(node);
        if (!ready) {
            ready = new Later();
            this.readies.set(node, ready);
        }
        return ready;
    }

    private waitFor(step: RolloutStep | undefined): pulumi.Input<pulumi.Resource>[] {
        if (!step) return [];
        return [step.kind === "ready" ? this.readyOf(step.node).promise : this.barriers[step.index].promise];
    }

    /**
     * The node's gate. For a node that exists, it waits for the previous control-plane node or worker
     * batch (see `rolloutOrder`) and for the release and key rollout. For a new node it waits for nothing:
     * it has no previous state, so the runner returns at once (planGate plans nothing), and its machine is
     * created with every other new machine. Both have the same inputs, so a node becoming "existing" in
     * the record changes only dependencies, which are no inputs: the next preview is clean.
     */
    before(node: PlannedNode, access: NodeAccess): pulumi.Resource[] {
        this.access = this.access ?? access;
        if (this.spec.infrastructure.provider === "existing") {
            return [];
        }
        this.authorizeKeys(access);
        const state = machineState(this.spec, node);
        const gate = this.args.deployed.has(node.name)
            ? this.command(`${node.name}-gate`, "gate", state, access, [this.prepare, ...this.waitFor(this.rollout.gateWaitsFor.get(node.name))])
            : new command.local.Command(`${node.name}-gate`, {
                create: `${RUNNER} gate`,
                update: `${RUNNER} gate`,
                // The same values as `commandEnvironment`'s, without waiting for the inventory (and the API
                // address it is written with, a load balancer on some stacks): a new node's gate reads neither.
                environment: { ...this.baseEnvironment(), KUBESPRAY_COMMAND: `${node.name}-gate`, KUBESPRAY_INVENTORY: "inventory", KUBESPRAY_DESIRED: JSON.stringify(state) },
                stdin: this.args.sshPrivateKey,
                logging: "stderr",
            }, { parent: this });
        this.gates.set(node.name, gate);
        return [gate];
    }

    after(node: PlannedNode, machine: readonly pulumi.Resource[]): void {
        if (this.spec.infrastructure.provider === "existing") {
            return;
        }
        this.readyOf(node.name).resolve(this.command(`${node.name}-ready`, "ready", machineState(this.spec, node), this.access!, [...machine, this.gates.get(node.name)!]));
    }

    private access?: NodeAccess;

    /** The barriers, the cluster, workers and kubeconfig commands, once every machine is declared. */
    finish(nodeSet: NodeSet): void {
        const access: NodeAccess = this.access ?? { apiHost: nodeSet.apiEndpoint, bastion: nodeSet.bastion?.host };
        const name = this.spec.meta.name;
        const readies: command.local.Command[] = [];
        for (const [node, ready] of this.readies) {
            if (!ready.value) {
                throw new Error(`internal: ${node} has a gate but no ready (the infrastructure component called before() without after())`);
            }
            readies.push(ready.value);
        }
        // One no-op resource per batch: the next batch's gates wait for it alone, so each gate has one
        // dependency on the rollout instead of one per node of the previous batch (O(n) edges, not O(n²)).
        this.rollout.barriers.forEach((barrier, index) => {
            this.barriers[index].resolve(new command.local.Command(barrier.name, {}, {
                parent: this,
                dependsOn: [...this.waitFor(barrier.after), ...barrier.readies.map((node) => this.readyOf(node).value!)],
            }));
        });
        // Machines without a ready (none today) still come before the install; every ready follows its machine.
        const unchained = Object.entries(nodeSet.machines).filter(([node]) => !this.readies.has(node)).flatMap(([, resources]) => resources);
        const state = access.apiHost.apply((apiHost) => clusterState(this.spec, apiHost));
        this.cluster = this.command(`${name}-cluster`, "cluster", state, access, [this.prepare, ...unchained, ...readies], this.clusterStdin(), this.args.protect ?? false);
        this.clusterState = state;
        this.workers = this.command(`${name}-workers`, "workers", workersState(this.spec), access, [this.cluster]);
        const fetch = new command.local.Command(`${name}-kubeconfig`, {
            create: `${RUNNER} kubeconfig`,
            update: `${RUNNER} kubeconfig`,
            // A service-account token that does not expire: the same kubeconfig on every run until the
            // generation or the API endpoint changes (see playbooks/kubeconfig-account.yml).
            environment: this.commandEnvironment(`${name}-kubeconfig`, access.apiHost.apply((apiHost) => kubeconfigState(this.spec, apiHost)), access),
            stdin: this.args.sshPrivateKey,
            logging: "stderr",
        }, { parent: this, dependsOn: [this.cluster], additionalSecretOutputs: ["stdout"] });
        this.kubeconfig = pulumi.secret(fetch.stdout);
        this.registerOutputs({ kubeconfig: this.kubeconfig });
    }

    private clusterState?: pulumi.Output<ClusterState>;

    /**
     * Resolves to true once the cluster and workers commands hold this run's desired states: each prints
     * its state on success, and a failed or skipped run keeps the previous one (runner/main.ts). Unknown in
     * a preview that changes them. The deployed record is written only then (components/cluster.ts).
     */
    applied(): pulumi.Output<boolean> {
        const same = (stdout: string | undefined, desired: unknown) => {
            try {
                return identityHash(JSON.parse(stdout ?? "")) === identityHash(desired);
            } catch {
                return false;
            }
        };
        return pulumi.all([this.cluster!.stdout, this.clusterState!, this.workers!.stdout]).apply(([clusterStdout, clusterDesired, workersStdout]) =>
            same(clusterStdout, clusterDesired) && same(workersStdout, workersState(this.spec)));
    }

    /**
     * The cluster command's stdin: the SSH key, and the backup storage's credentials only while the stack
     * file restores an etcd snapshot from it (operations.recoverControlPlane.etcdSnapshot.s3Key), so they
     * are no input of the command otherwise.
     */
    private clusterStdin(): pulumi.Input<string> {
        const snapshot = this.spec.operations.recoverControlPlane?.etcdSnapshot;
        const credentials = this.args.backupCredentials;
        if (!snapshot || !("s3Key" in snapshot) || !credentials) {
            return this.args.sshPrivateKey;
        }
        return pulumi.secret(pulumi.all([this.args.sshPrivateKey, credentials.accessKeyId, credentials.secretAccessKey])
            .apply(([key, accessKeyId, secretAccessKey]) => JSON.stringify({ key, backupStorage: { accessKeyId, secretAccessKey } })));
    }
}

/** A value set later in the program (a ready, a barrier), awaited by the resources that depend on it. */
class Later<T> {
    value?: T;
    readonly promise: Promise<T>;
    private settle!: (value: T) => void;

    constructor() {
        this.promise = new Promise((resolve) => { this.settle = resolve; });
    }

    resolve(value: T): void {
        this.value = value;
        this.settle(value);
    }
}

/** What a gate or barrier waits for: a node's ready, or the barrier of a worker batch. */
export type RolloutStep = { readonly kind: "ready"; readonly node: string } | { readonly kind: "barrier"; readonly index: number };

export interface Barrier {
    readonly name: string;
    /** The step before this batch (the previous barrier, or the last existing control-plane node). */
    readonly after?: RolloutStep;
    /** The existing workers of the batch, whose readies the barrier waits for. */
    readonly readies: readonly string[];
}

export interface Rollout {
    /** For each node that exists: what its gate waits for (absent for the first node of the chain). */
    readonly gateWaitsFor: ReadonlyMap<string, RolloutStep | undefined>;
    /** One per worker batch but the last, when batches hold more than one worker. */
    readonly barriers: readonly Barrier[];
}

/**
 * The order in which machines that exist already may change: control-plane nodes one at a time (in
 * spec order), then workers in batches of `operations.upgrade.workerBatch`.
 *
 * - Only nodes in the deployed record are chained; new nodes wait for nothing.
 * - Batches hold the existing workers in spec order, `batchSize(workerBatch, <workers in the spec>)` each.
 *   The number of barriers depends on the stack file only (not on the record), so the resources stay the
 *   same when a run turns new nodes into existing ones; which readies a barrier waits for may change,
 *   which is no input.
 * - With batches of one worker there are no barriers: each gate waits for the previous worker's ready.
 * - Existing hosts have no machines, so no rollout.
 */
export function rolloutOrder(spec: ClusterSpec, deployed: Pick<Deployed, "has">): Rollout {
    const gateWaitsFor = new Map<string, RolloutStep | undefined>();
    if (spec.infrastructure.provider === "existing") {
        // No machines: nothing to roll (existing hosts have no gates or readies).
        return { gateWaitsFor, barriers: [] };
    }
    let previous: RolloutStep | undefined;
    for (const node of spec.nodes.filter((n) => n.role === "control-plane" && deployed.has(n.name))) {
        gateWaitsFor.set(node.name, previous);
        previous = { kind: "ready", node: node.name };
    }
    const workers = spec.nodes.filter((n) => n.role === "worker");
    const size = batchSize(spec.operations.upgrade.workerBatch, workers.length);
    const existing = workers.filter((n) => deployed.has(n.name)).map((n) => n.name);
    const barriers: Barrier[] = [];
    if (size === 1) {
        for (const node of existing) {
            gateWaitsFor.set(node, previous);
            previous = { kind: "ready", node };
        }
        return { gateWaitsFor, barriers };
    }
    const batches = Math.ceil(workers.length / size);
    for (let index = 0; index < batches; index++) {
        const batch = existing.slice(index * size, (index + 1) * size);
        for (const node of batch) {
            gateWaitsFor.set(node, previous);
        }
        if (index < batches - 1) {
            barriers.push({ name: `${spec.meta.name}-workers-batch-${index + 1}`, after: previous, readies: batch });
            previous = { kind: "barrier", index };
        }
    }
    return { gateWaitsFor, barriers };
}

/**
 * Existing workers whose gates wait for the same step: one batch, whose gates (and readies) Pulumi runs
 * together and the runner runs as one Kubespray run (runner/batch.ts). Only batches of two or more.
 */
export function workerBatches(spec: ClusterSpec, rollout: Rollout): string[][] {
    const workers = new Set(spec.nodes.filter((n) => n.role === "worker").map((n) => n.name));
    const groups = new Map<string, string[]>();
    for (const [node, after] of rollout.gateWaitsFor) {
        if (!workers.has(node)) continue;
        const key = JSON.stringify(after ?? null);
        const batch = groups.get(key);
        if (batch) batch.push(node);
        else groups.set(key, [node]);
    }
    return [...groups.values()].filter((batch) => batch.length > 1);
}

/**
 * Per batch of `workerBatches`, its workers whose machine this `pulumi up` recreates, with the identity
 * digest each gets (MachineState.replaceHash): the deployed record's identity of the machine differs from
 * the stack file's (protection.ts `replacedNow`, which also decides which machines lose protection).
 * Restarts are not listed: the record keeps no restart identity (and a restart's ready runs no Kubespray
 * playbook to share).
 */
export function workerBatchReplacements(spec: ClusterSpec, batches: readonly (readonly string[])[], deployed: Deployed): { node: string; replaceHash: string }[][] {
    const byName = new Map(spec.nodes.map((n) => [n.name, n]));
    return batches.map((batch) => batch.map((name) => byName.get(name)!)
        .filter((node) => replacedNow(spec, deployed, node))
        .map((node) => ({ node: node.name, replaceHash: machineState(spec, node).replaceHash })));
}

export function withWorkerBatches(settings: StackSettings, spec: ClusterSpec, rollout: Rollout, deployed: Deployed): StackSettings {
    const batches = workerBatches(spec, rollout);
    if (!batches.length) return settings;
    const replacements = workerBatchReplacements(spec, batches, deployed);
    return { ...settings, workerBatches: batches, ...(replacements.some((batch) => batch.length) ? { workerBatchReplacements: replacements } : {}) };
}

/** Workers per batch: a count, or a percentage of the workers (at least one). */
export function batchSize(setting: number | string, workers: number): number {
    if (typeof setting === "number") {
        return Math.max(1, setting);
    }
    return Math.max(1, Math.floor((workers * Number(setting.replace("%", ""))) / 100));
}
