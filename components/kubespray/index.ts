/**
 * Kubespray, driven by command resources so that each Day-2 change in the stack file becomes exactly
 * the Kubespray run it needs:
 *
 * - `prepare`: the Kubespray checkout and virtualenv (or image) for the pinned release;
 * - per node, `gate` before its machine and `ready` after it: drain before a machine is resized or
 *   recreated, rejoin and uncordon after, chained one control-plane node at a time and workers in
 *   batches, so Pulumi cannot change every machine at once;
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
import type { MachineLifecycle, NodeAccess, NodeSet } from "../nodeset";
import { renderInventory } from "./inventory";
import { clusterState, keysState, kubeconfigState, machineState, workersState, type CommandState } from "./state";
import { inventoryDir, RUNNER_SETTINGS_FILE, stackSettings, writeInventory } from "./workspace";

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
    private readonly readies = new Map<string, command.local.Command>();
    private readonly gates = new Map<string, command.local.Command>();
    cluster?: command.local.Command;
    workers?: command.local.Command;
    /** admin kubeconfig with the server set to the API endpoint (secret). */
    kubeconfig?: pulumi.Output<string>;

    constructor(name: string, args: KubesprayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:kubespray:Kubespray", name, {}, opts);
        this.spec = args.spec;
        this.args = args;
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
     * Renders the inventory once the API host and bastion are known and writes it to the workspace.
     * The returned Output resolves (to the constant directory name) only after the files are written.
     */
    private inventory(access: NodeAccess): pulumi.Output<string> {
        if (!this.inventoryWritten) {
            const dir = inventoryDir(this.spec.kubespray.runner.workDir, this.args.stack);
            this.inventoryWritten = pulumi.all([access.apiHost, access.bastion ?? pulumi.output(undefined)]).apply(([apiHost, bastionHost]) => {
                writeInventory(dir, {
                    ...renderInventory({ spec: this.spec, apiHost, bastionHost }),
                    [RUNNER_SETTINGS_FILE]: JSON.stringify(stackSettings(this.spec, KUBESPRAY_REPOSITORY, bastionHost)),
                });
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
        dependsOn: pulumi.Input<pulumi.Resource>[], stdin: pulumi.Input<string> = this.args.sshPrivateKey,
    ): command.local.Command {
        return new command.local.Command(name, {
            create: `${RUNNER} ${operation}`,
            update: `${RUNNER} ${operation}`,
            environment: this.commandEnvironment(name, state, access),
            stdin,
            logging: "stderr",
        }, { parent: this, dependsOn: [...dependsOn, ...(this.authorize ? [this.authorize] : [])] });
    }

    /** The node's gate waits for the previous node (control plane) or batch (workers) to be Ready again. */
    before(node: PlannedNode, access: NodeAccess): pulumi.Resource[] {
        this.access = this.access ?? access;
        if (this.spec.infrastructure.provider === "existing") {
            return [];
        }
        this.authorizeKeys(access);
        const waitFor = rolloutPredecessors(this.spec, node).map((name) => this.readies.get(name)).filter((r): r is command.local.Command => r !== undefined);
        const gate = this.command(`${node.name}-gate`, "gate", machineState(this.spec, node), access, [this.prepare, ...waitFor]);
        this.gates.set(node.name, gate);
        return [gate];
    }

    after(node: PlannedNode, machine: readonly pulumi.Resource[]): void {
        if (this.spec.infrastructure.provider === "existing") {
            return;
        }
        this.readies.set(node.name, this.command(`${node.name}-ready`, "ready", machineState(this.spec, node), this.access!, [...machine, this.gates.get(node.name)!]));
    }

    private access?: NodeAccess;

    /** The cluster, workers and kubeconfig commands, once every machine is declared. */
    finish(nodeSet: NodeSet): void {
        const access: NodeAccess = this.access ?? { apiHost: nodeSet.apiEndpoint, bastion: nodeSet.bastion?.host };
        const machines = Object.values(nodeSet.machines).flat();
        const readies = [...this.readies.values()];
        const state = access.apiHost.apply((apiHost) => clusterState(this.spec, apiHost));
        const name = this.spec.meta.name;
        this.cluster = this.command(`${name}-cluster`, "cluster", state, access, [this.prepare, ...machines, ...readies], this.clusterStdin());
        this.workers = this.command(`${name}-workers`, "workers", workersState(this.spec), access, [this.cluster, ...machines, ...readies]);
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

/**
 * The nodes whose `ready` a node's `gate` waits for: the previous control-plane node; for workers,
 * every node of the previous batch (the last control-plane node for the first batch).
 */
export function rolloutPredecessors(spec: ClusterSpec, node: PlannedNode): string[] {
    const controlPlane = spec.nodes.filter((n) => n.role === "control-plane");
    if (node.role === "control-plane") {
        const index = controlPlane.findIndex((n) => n.name === node.name);
        return index > 0 ? [controlPlane[index - 1].name] : [];
    }
    const workers = spec.nodes.filter((n) => n.role === "worker");
    const batch = batchSize(spec.operations.upgrade.workerBatch, workers.length);
    const position = workers.findIndex((n) => n.name === node.name);
    const batchIndex = Math.floor(position / batch);
    if (batchIndex === 0) {
        return controlPlane.length ? [controlPlane[controlPlane.length - 1].name] : [];
    }
    return workers.slice((batchIndex - 1) * batch, batchIndex * batch).map((n) => n.name);
}

export function batchSize(setting: number | string, workers: number): number {
    if (typeof setting === "number") {
        return Math.max(1, setting);
    }
    return Math.max(1, Math.floor((workers * Number(setting.replace("%", ""))) / 100));
}
