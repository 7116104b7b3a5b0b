/**
 * The Day-2 preview for reviewers (`clusters plan --against <previous out/<stack>/>`): in the order the
 * engine would run them, every machine created, replaced, changed in place or deleted, and every step of
 * every Kubespray command that changes (each playbook with its `--limit`, the hosts it acts on, the names of
 * its extra vars, and why). Computed by the runner's own planner (components/kubespray/planner.ts) from
 * the previous plan's command states (their `KUBESPRAY_DESIRED`, what the runner would find as the
 * commands' last output) and this plan's, with the previous deployed record's nodes as the cluster's
 * nodes. Without a previous plan it is Day 1.
 */
import { identityHash } from "../components/machine-identity";
import type { Deployed } from "../components/deployed";
import { KUBESPRAY_REPOSITORY } from "../components/kubespray";
import { planAuthorize, planCluster, planGate, planReady, planWorkers, settingsContext, type Plan, type PlanContext, type Step } from "../components/kubespray/planner";
import { stackSettings } from "../components/kubespray/workspace";
import type { ClusterState, CommandState, KeysState, MachineState, WorkersState } from "../components/kubespray/state";
import type { ClusterSpec } from "../spec";
import { Heap } from "heap-js";

/** A resource as plan writes it to resources.json (and as the offline run records it). */
export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly dependencies: readonly string[];
}

export type OperationAction = "create" | "replace" | "update" | "delete" | "run" | "step";

/** One line of operations.json. */
export interface Operation {
    /** The Pulumi resource that does it: a Kubespray command, or the node's machine. */
    readonly command: string;
    /**
     * Machines: `create`, `replace` (recreated: drained and removed first, rejoined after), `update`
     * (changed in place with a restart), `delete`. Kubespray commands: `run` (a playbook) or `step` (the
     * runner's other steps: reachability, cloud-init, drain, uncordon, Ready, etcd snapshot…).
     */
    readonly action: OperationAction;
    /** For runs: the playbook, as a path in Kubespray's checkout (ours: `authorize-keys.yml`, `kubeconfig-account.yml`). */
    readonly playbook?: string;
    /** Node names the operation acts on (a playbook's `--limit` resolved, `node=` of remove-node.yml, all nodes without a limit). */
    readonly hosts: readonly string[];
    /** A playbook's `--limit`, as passed. */
    readonly limit?: readonly string[];
    readonly tags?: readonly string[];
    /** Names of the extra vars a playbook gets (values are in the runner's log). */
    readonly extraVars?: readonly string[];
    /** Hosts put last in that run's inventory (a joining or leaving control-plane node). */
    readonly last?: readonly string[];
    /** The runner's step (`drain`, `wait-ready`…), for action `step`. */
    readonly step?: string;
    /** Why: the step's title, or why the machine changes. */
    readonly reason: string;
}

export interface PreviousPlan {
    readonly resources: readonly PlannedResource[];
    readonly deployed: Deployed;
}

const COMMAND = "command:local:Command";
const MACHINE_TYPES = ["openstack:compute/instance:Instance", "vsphere:index/virtualMachine:VirtualMachine", "kubernetes:kubevirt.io/v1:VirtualMachine"];
const OWN_PLAYBOOKS = { authorize: "authorize-keys.yml", kubeconfig: "kubeconfig-account.yml" } as const;

const environmentOf = (r: PlannedResource) => (r.inputs.environment ?? {}) as Record<string, unknown>;
const operationOf = (r: PlannedResource) => String(r.inputs.create ?? "").split(" ").pop() ?? "";

function desiredOf(r: PlannedResource | undefined): CommandState | undefined {
    const text = r ? environmentOf(r).KUBESPRAY_DESIRED : undefined;
    if (typeof text !== "string" || !text.includes("\"kind\"")) return undefined;
    return JSON.parse(text) as CommandState;
}

/** A machine resource's node: OpenStack and vSphere name it after the node, Harvester `virtualmachine:<namespace>/<node>`. */
const machineNode = (r: PlannedResource) => r.name.split("/").pop()!;

export function dayTwoOperations(spec: ClusterSpec, current: readonly PlannedResource[], previous: PreviousPlan | undefined): Operation[] {
    const before = new Map((previous?.resources ?? []).filter((r) => r.type === COMMAND).map((r) => [r.name, r]));
    const live = previous ? previous.deployed.nodes : undefined;
    const controlPlane = spec.nodes.filter((n) => n.role === "control-plane").map((n) => n.name);
    const allNodes = spec.nodes.map((n) => n.name);
    // The runner's context (runner/main.ts): the inventory's hosts and addresses, and the stack's settings
    // as the program writes them to runner.json, read through the runner's own function.
    const ctx: PlanContext = {
        live, controlPlane, inventoryWorkers: spec.nodes.filter((n) => n.role === "worker").map((n) => n.name),
        addresses: new Map(spec.nodes.map((n) => [n.name, n.address])),
        ...settingsContext(stackSettings(spec, KUBESPRAY_REPOSITORY, undefined)),
    };
    const hostsOf = (patterns: readonly string[]) => [...new Set(patterns.flatMap((p) => (p === "all" ? allNodes : p === "etcd" || p === "kube_control_plane" ? controlPlane : [p])))];

    const operations = new Map<string, Operation[]>();
    // Kubespray commands that change: what the runner will do.
    for (const resource of current.filter((r) => r.type === COMMAND)) {
        const old = before.get(resource.name);
        if (old && identityHash(old.inputs) === identityHash(resource.inputs)) continue;
        const operation = operationOf(resource);
        const steps = commandPlan(operation, desiredOf(old), desiredOf(resource), ctx, previous !== undefined);
        const lines: Operation[] = [];
        if (operation === "prepare") {
            lines.push({ command: resource.name, action: "step", step: "prepare", hosts: [], reason: `prepare Kubespray ${spec.kubespray.version} on the machine that runs pulumi up (${spec.kubespray.runner.type === "container" ? "pull its image" : "clone it and make its virtualenv, once per release"})` });
        } else if (operation === "kubeconfig") {
            lines.push({ command: resource.name, action: "run", playbook: OWN_PLAYBOOKS.kubeconfig, hosts: controlPlane.slice(0, 1), extraVars: ["generation", "output", "target"], reason: "make the Kubernetes provider's credential: a service-account token that does not expire" });
        }
        for (const step of steps.steps) {
            lines.push(operationOfStep(resource.name, step, hostsOf));
        }
        if (steps.refusal) {
            lines.push({ command: resource.name, action: "step", step: "refusal", hosts: [], reason: `pulumi up refuses: ${steps.refusal}` });
        }
        if (lines.length) operations.set(resource.name, lines);
    }
    // Machines: from the gates' states (one per node that has a machine).
    const gateStates = (resources: readonly PlannedResource[]) => new Map(resources.filter((r) => r.type === COMMAND && r.name.endsWith("-gate"))
        .map((r) => desiredOf(r)).filter((s): s is MachineState => s?.kind === "machine").map((s) => [s.node.name, s]));
    const now = gateStates(current);
    const then = gateStates(previous?.resources ?? []);
    const machineName = new Map(current.filter((r) => MACHINE_TYPES.includes(r.type)).map((r) => [machineNode(r), r.name]));
    for (const [node, state] of now) {
        const was = then.get(node);
        const command = machineName.get(node) ?? node;
        const key = `machine:${node}`;
        if (!was || (previous && !previous.deployed.has(node))) {
            operations.set(key, [{ command, action: "create", hosts: [node], reason: "a new node: its machine is created with every other new machine, then joined by the cluster or workers command" }]);
        } else if (was.replaceHash !== state.replaceHash) {
            operations.set(key, [{ command, action: "replace", hosts: [node], reason: "its machine identity changed (image, boot disk, template, zone, data volumes or generation: components/machine-identity.ts): its gate drains and removes it first, its ready rejoins it" }]);
        } else if (was.restartHash !== state.restartHash) {
            operations.set(key, [{ command, action: "update", hosts: [node], reason: "its size changed: changed in place with a restart, drained by its gate before and uncordoned by its ready after" }]);
        }
    }
    const order = engineOrder(current, [...operations.keys()]);
    const result = order.flatMap((key) => operations.get(key) ?? []);
    // Pulumi deletes what left the program after every other step: the removal ran before.
    const previousMachines = new Map((previous?.resources ?? []).filter((r) => MACHINE_TYPES.includes(r.type)).map((r) => [machineNode(r), r.name]));
    for (const [node] of then) {
        if (!now.has(node)) {
            result.push({ command: previousMachines.get(node) ?? node, action: "delete", hosts: [node], reason: "it left the stack file: the workers or cluster command removed it from the cluster above, then Pulumi deletes the machine (deletions come last)" });
        }
    }
    return result;
}

function commandPlan(operation: string, previous: CommandState | undefined, desired: CommandState | undefined, ctx: PlanContext, dayTwo: boolean): Plan {
    const nothing: Plan = { steps: [], disruptive: false };
    if (!desired) return nothing;
    switch (operation) {
        case "cluster": return planCluster(previous as ClusterState | undefined, desired as ClusterState, dayTwo ? ctx : {});
        case "workers": return planWorkers(previous as WorkersState | undefined, desired as WorkersState, dayTwo ? ctx : {});
        case "gate": return planGate([{ previous: previous as MachineState | undefined, desired: desired as MachineState }], ctx);
        case "ready": return planReady([{ previous: previous as MachineState | undefined, desired: desired as MachineState }], ctx);
        case "authorize": return planAuthorize(previous as KeysState | undefined, desired as KeysState);
        default: return nothing;
    }
}

function operationOfStep(command: string, step: Step, hostsOf: (patterns: readonly string[]) => string[]): Operation {
    switch (step.kind) {
        case "playbook": {
            const node = typeof step.extraVars.node === "string" ? step.extraVars.node.split(",") : undefined;
            return {
                command, action: "run", playbook: step.playbook,
                hosts: node ?? hostsOf(step.limit ?? ["all"]),
                ...(step.limit ? { limit: [...step.limit] } : {}),
                ...(step.tags ? { tags: [...step.tags] } : {}),
                extraVars: Object.keys(step.extraVars).sort(),
                ...(step.last ? { last: [...step.last] } : {}),
                reason: step.title,
            };
        }
        case "authorize":
            return { command, action: "run", playbook: OWN_PLAYBOOKS.authorize, hosts: hostsOf(["all"]), extraVars: ["authorized_keys", "retired_keys", "tolerate_unreachable"], reason: step.title };
        case "reachable":
        case "wait-cloud-init":
            return { command, action: "step", step: step.kind, hosts: hostsOf(step.hosts), reason: step.title };
        case "restart-api-proxy":
            return { command, action: "step", step: step.kind, hosts: hostsOf(["all"]), reason: step.title };
        case "fetch-etcd-snapshot":
            return { command, action: "step", step: step.kind, hosts: "node" in step.source ? [step.source.node] : [], reason: step.title };
        case "etcd-snapshot":
        case "update-cluster-info":
            return { command, action: "step", step: step.kind, hosts: hostsOf(["kube_control_plane"]).slice(0, 1), reason: step.title };
        default:
            return { command, action: "step", step: step.kind, hosts: [step.node], reason: step.title };
    }
}

/**
 * The given keys (command names, `machine:<node>`) in an order the engine respects: a resource after
 * everything it depends on (Kahn's algorithm on this plan's dependencies), ties in registration order.
 */
function engineOrder(resources: readonly PlannedResource[], keys: readonly string[]): string[] {
    const keyOf = (r: PlannedResource) => (MACHINE_TYPES.includes(r.type) ? `machine:${machineNode(r)}` : r.type === COMMAND ? r.name : undefined);
    const relevant = resources.filter((r) => keyOf(r) !== undefined);
    const byUrn = new Map(relevant.map((r) => [r.urn, r]));
    const rank = new Map(relevant.map((r, i) => [r.urn, i]));
    const waiting = new Map(relevant.map((r) => [r.urn, r.dependencies.filter((d) => byUrn.has(d) && d !== r.urn).length]));
    const dependents = new Map<string, string[]>();
    for (const r of relevant) {
        for (const d of r.dependencies) {
            if (!byUrn.has(d) || d === r.urn) continue;
            const list = dependents.get(d);
            if (list) list.push(r.urn);
            else dependents.set(d, [r.urn]);
        }
    }
    // A binary heap (heap-js): 12,000 resources order in milliseconds.
    const ready = new Heap<string>((a, b) => rank.get(a)! - rank.get(b)!);
    for (const r of relevant) if (waiting.get(r.urn) === 0) ready.push(r.urn);
    const ordered: string[] = [];
    for (let urn = ready.pop(); urn !== undefined; urn = ready.pop()) {
        ordered.push(keyOf(byUrn.get(urn)!)!);
        for (const next of dependents.get(urn) ?? []) {
            const left = waiting.get(next)! - 1;
            waiting.set(next, left);
            if (left === 0) ready.push(next);
        }
    }
    const wanted = new Set(keys);
    const seen = new Set(ordered);
    return [...ordered.filter((k) => wanted.has(k)), ...keys.filter((k) => !seen.has(k))];
}

/** The plan.md section: the same operations as a table a reviewer reads. */
export function operationsMarkdown(operations: readonly Operation[], against: string | undefined): string {
    const lines = [against
        ? `## What \`pulumi up\` will do (against the plan in \`${against}\`)`
        : "## What `pulumi up` will do on Day 1 (no previous plan: `--against <out/<stack>/ of the previous plan>` shows a Day-2 change)", ""];
    if (!operations.length) {
        lines.push("Nothing: no machine changes and no Kubespray command runs.", "");
        return lines.join("\n");
    }
    const hosts = (list: readonly string[]) => (list.length <= 4 ? list.join(", ") : `${list.slice(0, 3).join(", ")} and ${list.length - 3} more`);
    const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
    lines.push("In an order the engine respects (everything after what it depends on); Pulumi deletes machines last. `operations.json` has every host.", "");
    lines.push("| # | command | action | playbook | hosts | --limit | extra vars | why |", "|---|---|---|---|---|---|---|---|");
    operations.forEach((op, i) => {
        lines.push(`| ${i + 1} | ${cell(op.command)} | ${op.action}${op.step ? ` (${op.step})` : ""} | ${op.playbook ?? ""} | ${cell(hosts(op.hosts))} | ${op.limit?.join(",") ?? ""} | ${op.extraVars?.join(", ") ?? ""} | ${cell(op.reason)} |`);
    });
    lines.push("");
    return lines.join("\n");
}
