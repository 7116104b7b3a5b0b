/**
 * What a Day-2 change does to the Kubespray commands: which command resources change between two
 * offline runs, and what the real planner makes each of them run.
 */
import { planAuthorize, planCluster, planGate, planReady, planWorkers, type Plan, type Step } from "../../components/kubespray/planner";
import type { ClusterState, CommandState, KeysState, MachineState, WorkersState } from "../../components/kubespray/state";
import type { OfflineRun, RecordedResource } from "../../offline/harness";

export interface CommandChange {
    readonly command: string;
    readonly change: "create" | "update" | "delete";
    readonly plan: Plan;
}

const COMMAND = "command:local:Command";

function desiredOf(resource: RecordedResource): CommandState | undefined {
    const env = (resource.rawInputs.environment ?? {}) as Record<string, string>;
    return env.KUBESPRAY_DESIRED && env.KUBESPRAY_DESIRED.includes("\"kind\"") ? JSON.parse(env.KUBESPRAY_DESIRED) : undefined;
}

function operationOf(resource: RecordedResource): string {
    return String(resource.rawInputs.create ?? "").split(" ").pop() ?? "";
}

/** Node names of a run: what the cluster has before the change is applied. */
function nodesOf(run: OfflineRun): Set<string> {
    return new Set(((run.outputs.nodes ?? []) as { name: string }[]).map((n) => n.name));
}

function controlPlaneOf(run: OfflineRun): string[] {
    return ((run.outputs.nodes ?? []) as { name: string; role: string }[]).filter((n) => n.role === "control-plane").map((n) => n.name);
}

/** `recovering`: the broken control-plane nodes the stack file recovers (the runner reads them from the workspace settings). */
export function kubesprayChanges(before: OfflineRun | undefined, after: OfflineRun, recovering: readonly string[] = []): CommandChange[] {
    const old = new Map((before?.resources ?? []).filter((r) => r.type === COMMAND).map((r) => [r.name, r]));
    const live = before ? nodesOf(before) : nodesOf(after);
    const controlPlane = controlPlaneOf(after);
    const changes: CommandChange[] = [];
    for (const resource of after.resources.filter((r) => r.type === COMMAND)) {
        const previous = old.get(resource.name);
        if (previous && JSON.stringify(previous.rawInputs) === JSON.stringify(resource.rawInputs)) {
            continue;
        }
        const desired = desiredOf(resource);
        const prior = previous ? desiredOf(previous) : undefined;
        changes.push({ command: resource.name, change: previous ? "update" : "create", plan: desired ? plan(operationOf(resource), prior, desired, live, controlPlane, new Set(recovering)) : { steps: [], disruptive: false } });
    }
    for (const name of old.keys()) {
        if (!after.resources.some((r) => r.type === COMMAND && r.name === name)) {
            changes.push({ command: name, change: "delete", plan: { steps: [], disruptive: false } });
        }
    }
    return changes.sort((a, b) => a.command.localeCompare(b.command));
}

function plan(operation: string, previous: CommandState | undefined, desired: CommandState, live: Set<string>, controlPlane: readonly string[], recovering: ReadonlySet<string>): Plan {
    const ctx = { live, controlPlane, drain: { gracePeriodSeconds: 300, timeoutSeconds: 360, retries: 3 }, recovering };
    switch (operation) {
        case "cluster": return planCluster(previous as ClusterState | undefined, desired as ClusterState, previous ? ctx : {});
        case "authorize": return planAuthorize(previous as KeysState | undefined, desired as KeysState);
        case "workers": return planWorkers(previous as WorkersState | undefined, desired as WorkersState, ctx);
        case "gate": return planGate([{ previous: previous as MachineState | undefined, desired: desired as MachineState }], ctx);
        case "ready": return planReady([{ previous: previous as MachineState | undefined, desired: desired as MachineState }], ctx);
        default: return { steps: [], disruptive: false };
    }
}

/** `playbook [limit] {vars}` lines of the changes that run something, for compact assertions. */
export function runs(changes: readonly CommandChange[]): string[] {
    return changes.flatMap((c) => c.plan.steps.filter((s): s is Extract<Step, { kind: "playbook" }> => s.kind === "playbook")
        .map((s) => `${c.command}: ${s.playbook}${s.limit ? ` --limit ${s.limit.join(",")}` : ""}${s.tags ? ` --tags ${s.tags.join(",")}` : ""}${s.last ? ` (last: ${s.last.join(",")})` : ""}${s.broken ? ` (broken: ${s.broken.join(",")})` : ""}${Object.keys(pick(s.extraVars)).length ? ` ${JSON.stringify(pick(s.extraVars))}` : ""}`));
}

function pick(vars: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const keys = ["node", "serial", "skip_confirmation", "ignore_assert_errors", "reset_nodes", "allow_ungraceful_removal", "etcd_retries", "etcd_snapshot"];
    return Object.fromEntries(Object.entries(vars).filter(([k]) => keys.includes(k)));
}
