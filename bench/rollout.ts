/**
 * Day 2: what a change that recreates every machine (a new OpenStack image) makes the runner do, and
 * how long it takes, at 3+N workers with `workerBatch` 1 and 20 %.
 *
 * The runs come from the runner's own planner, called as the runner calls it: per node, `planGate` on the
 * node's previous and desired machine state (components/kubespray/state.ts `machineState` of the stack
 * file before and after the change) with the cluster's nodes live, then `planReady` once its machine was
 * recreated (the node no longer in the cluster). The order is the program's (components/kubespray/index.ts
 * `rolloutOrder`): control-plane nodes one at a time, then workers by batch.
 *
 * Every gate and ready runs its whole plan under the cluster's lock (runner/main.ts `operate` →
 * `withLock`), so the runs of a batch happen one node after another whatever the batch size; only the
 * machines' re-creation (outside the lock) overlaps. So:
 * - control plane and `workerBatch: 1`: Σ per node (gate + machine + ready): each gate waits for the ready before;
 * - larger batches: Σ per batch (Σ of its gates and readies under the lock + one machine re-creation, the
 *   last one's), a lower bound: the lock is never idle while a node of the batch waits for it.
 * Per-step estimates are bench/chain-graph.ts's (`day2StepSeconds`, `machineReplaceSeconds`).
 *
 *   npx ts-node --transpile-only bench/rollout.ts [--workers 1000]   writes bench/results/rollout.{json,md}
 */
import * as fs from "fs";
import * as path from "path";
import { day2StepSeconds, machineReplaceSeconds, factsSeconds, ANSIBLE_DEFAULT_FORKS } from "./chain-graph";
import { generatedStack } from "./stacks";
import { loadClusterSpec, type ClusterSpec } from "../spec";
import { keptOnRemoval, planGate, planReady, type Plan, type PlanContext, type Step } from "../components/kubespray/planner";
import { machineState } from "../components/kubespray/state";
import { rolloutOrder } from "../components/kubespray/index";

const PROVIDER = "openstack";
const IMAGE_BEFORE = "ubuntu-24.04";
const IMAGE_AFTER = "ubuntu-24.04-2026.11";

export interface RunCount {
    readonly playbook: string;
    readonly runs: number;
    /** Hosts each run acts on (`--limit`, `node=`), and hosts it gathers facts from. */
    readonly actsOn: number;
    readonly factsFrom: number;
}

export interface RolloutRow {
    readonly scenario: string;
    readonly part: "control plane" | "workers";
    readonly nodes: number;
    readonly batches: number;
    readonly batchSize: number;
    readonly kubesprayRuns: number;
    readonly runs: readonly RunCount[];
    /** Runner steps that are not playbooks (drain, reachability, Ready, uncordon…). */
    readonly otherSteps: number;
    readonly secondsUnderLock: number;
    readonly secondsMachines: number;
    readonly estimateSeconds: number;
}

function stackFor(workers: number, workerBatch: number | string, image: string): ClusterSpec {
    const config = generatedStack(PROVIDER, workers, { workerBatch });
    const infrastructure = config.infrastructure as { openstack: Record<string, unknown> };
    return loadClusterSpec({ ...config, infrastructure: { ...infrastructure, openstack: { ...infrastructure.openstack, image } } }).spec;
}

/** Hosts a step acts on, as cli/operations.ts resolves them: `node=`, `--limit` (groups to their hosts), all. */
function actsOn(step: Step, controlPlane: readonly string[], all: number): number {
    if (step.kind !== "playbook") return "node" in step ? 1 : all;
    if (typeof step.extraVars.node === "string") return step.extraVars.node.split(",").length;
    if (!step.limit) return all;
    return new Set(step.limit.flatMap((p) => (p === "etcd" || p === "kube_control_plane" ? controlPlane : [p]))).size;
}

/** Whether a run gathers facts of every host: facts.yml, and remove-node.yml (its internal_facts.yml has no --limit). */
const factsFromAll = (step: Step) => step.kind === "playbook" && !step.limit && (step.playbook === "playbooks/facts.yml" || step.playbook === "remove-node.yml");

export function rolloutEstimate(workers: number, workerBatch: number | string): RolloutRow[] {
    const before = stackFor(workers, workerBatch, IMAGE_BEFORE);
    const after = stackFor(workers, workerBatch, IMAGE_AFTER);
    const names = after.nodes.map((n) => n.name);
    const all = names.length;
    const controlPlane = after.nodes.filter((n) => n.role === "control-plane").map((n) => n.name);
    const context: PlanContext = {
        live: new Set(names), controlPlane,
        inventoryWorkers: after.nodes.filter((n) => n.role === "worker").map((n) => n.name),
        drain: after.operations.drain,
        ...keptOnRemoval(after.infrastructure.provider, after.operations.decommission.resetHosts),
    };
    const byName = (spec: ClusterSpec) => new Map(spec.nodes.map((n) => [n.name, n]));
    const beforeNodes = byName(before);
    const machine = machineReplaceSeconds(PROVIDER);
    const underLock = (plan: Plan) => plan.steps.reduce((sum, step) => sum + day2StepSeconds({ kind: step.kind, playbook: step.kind === "playbook" ? step.playbook : undefined, actsOn: actsOn(step, controlPlane, all) }, all), 0);

    /** Gate and ready of one node, planned as the runner plans them. */
    const nodeRuns = (name: string) => {
        const node = after.nodes.find((n) => n.name === name)!;
        const change = { previous: machineState(before, beforeNodes.get(name)!), desired: machineState(after, node) };
        if (change.previous.replaceHash === change.desired.replaceHash) throw new Error(`${name}: the image change does not recreate its machine`);
        const gate = planGate([change], context);
        const ready = planReady([change], { ...context, live: new Set(names.filter((n) => n !== name)) });
        for (const plan of [gate, ready]) {
            if (plan.refusal) throw new Error(`${name}: ${plan.refusal}`);
        }
        return { steps: [...gate.steps, ...ready.steps], seconds: underLock(gate) + underLock(ready) };
    };

    const summarize = (part: RolloutRow["part"], batches: readonly (readonly string[])[]): RolloutRow => {
        const runs = new Map<string, { runs: number; actsOn: number; factsFrom: number }>();
        let otherSteps = 0;
        let secondsUnderLock = 0;
        let estimate = 0;
        for (const batch of batches) {
            let batchLock = 0;
            for (const name of batch) {
                const { steps, seconds } = nodeRuns(name);
                batchLock += seconds;
                for (const step of steps) {
                    if (step.kind !== "playbook") {
                        otherSteps++;
                        continue;
                    }
                    const hosts = actsOn(step, controlPlane, all);
                    const key = `${step.playbook}|${hosts}|${factsFromAll(step) ? all : hosts}`;
                    const entry = runs.get(key) ?? { runs: 0, actsOn: hosts, factsFrom: factsFromAll(step) ? all : hosts };
                    runs.set(key, { ...entry, runs: entry.runs + 1 });
                }
            }
            secondsUnderLock += batchLock;
            // One node: gate, machine, ready in sequence. A batch: the lock's work, plus the last machine.
            estimate += batchLock + machine;
        }
        const nodes = batches.reduce((n, b) => n + b.length, 0);
        return {
            scenario: `3+${workers}, workerBatch ${workerBatch}`, part, nodes, batches: batches.length, batchSize: Math.max(...batches.map((b) => b.length)),
            kubesprayRuns: [...runs.values()].reduce((n, r) => n + r.runs, 0),
            runs: [...runs.entries()].map(([key, r]) => ({ playbook: key.split("|")[0], ...r })),
            otherSteps, secondsUnderLock: Math.round(secondsUnderLock), secondsMachines: Math.round(nodes * machine), estimateSeconds: Math.round(estimate),
        };
    };

    // The program's order (rolloutOrder): control-plane nodes one at a time, workers by batch.
    const order = rolloutOrder(after, { has: () => true });
    const workerNames = after.nodes.filter((n) => n.role === "worker").map((n) => n.name);
    const inBarriers = order.barriers.map((b) => b.readies);
    const rest = workerNames.filter((n) => !inBarriers.some((b) => b.includes(n)));
    const workerBatches = order.barriers.length ? [...inBarriers, ...(rest.length ? [rest] : [])] : workerNames.map((n) => [n]);
    return [summarize("control plane", controlPlane.map((n) => [n])), summarize("workers", workerBatches)];
}

export function rolloutMarkdown(rows: readonly RolloutRow[], workers: number): string {
    const duration = (s: number) => (s >= 2 * 86400 ? `${(s / 86400).toFixed(1)} days` : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${Math.round(s / 60)} min`);
    const lines = [
        "# Day 2: a new image recreates every machine (3+" + workers + " OpenStack)",
        "",
        "Runs from the runner's own planner (`planGate`, `planReady` per node, as the runner calls them), in the program's rollout order;",
        "each gate and ready holds the cluster lock for its whole plan, so a batch's nodes are drained, removed and rejoined one after another.",
        `Estimates per step from bench/chain-graph.ts (\`day2StepSeconds\`): facts of ${workers + 3} hosts ${duration(factsSeconds(workers + 3))} at Ansible's default ${ANSIBLE_DEFAULT_FORKS} forks,`,
        `a machine re-created ${machineReplaceSeconds(PROVIDER)} s outside the lock.`,
        "",
        "| scenario | part | nodes | batches × size | Kubespray runs | runs: playbook × count (hosts it acts on / hosts it gathers facts from) | other runner steps | under the lock | estimate |",
        "|---|---|---|---|---|---|---|---|---|",
    ];
    for (const r of rows) {
        const runs = r.runs.map((x) => `${x.playbook} × ${x.runs} (${x.actsOn} / ${x.factsFrom})`).join("; ");
        lines.push(`| ${r.scenario} | ${r.part} | ${r.nodes} | ${r.batches} × ${r.batchSize} | ${r.kubesprayRuns} | ${runs} | ${r.otherSteps} | ${duration(r.secondsUnderLock)} | ${duration(r.estimateSeconds)} |`);
    }
    return lines.join("\n") + "\n";
}

function main(): void {
    const args = process.argv.slice(2);
    const i = args.indexOf("--workers");
    const workers = i >= 0 ? Number(args[i + 1]) : 1000;
    const rows = [1, "20%"].flatMap((batch) => rolloutEstimate(workers, batch));
    const dir = path.join(__dirname, "results");
    fs.writeFileSync(path.join(dir, "rollout.json"), JSON.stringify({ workers, provider: PROVIDER, change: `openstack.image ${IMAGE_BEFORE} → ${IMAGE_AFTER}`, rows }, null, 2) + "\n");
    const md = rolloutMarkdown(rows, workers);
    fs.writeFileSync(path.join(dir, "rollout.md"), md);
    process.stdout.write(md);
}

if (require.main === module) {
    main();
}
