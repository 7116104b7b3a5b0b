/** Day-2 blast radius: what each change touches on a 3+100 OpenStack cluster. */
import { defineCluster, projectConfig } from "../components/program";
import { runOffline, type OfflineRun, type RecordedResource } from "../offline/harness";
import { kubesprayChanges } from "../test/kubespray/changes";
import { generatedStack } from "./stacks";

export interface BlastRadius {
    readonly scenario: string;
    readonly kubesprayRuns: readonly string[];
    readonly hostsTouched: number;
    readonly resourcesChanged: number;
    readonly resourcesReplaced: number;
}

const get = (value: unknown, path: string): unknown => path.split(".").reduce<any>((v, k) => v?.[k], value);

/** A changed resource is replaced when its replacementTrigger option, a replace-on-change property or its replace trigger differs. */
function replaced(before: RecordedResource, after: RecordedResource): boolean {
    if (JSON.stringify(before.options.replacementTrigger) !== JSON.stringify(after.options.replacementTrigger)) {
        return true;
    }
    const paths = [...after.options.replaceOnChanges, "replaceTrigger"];
    return paths.some((p) => JSON.stringify(get(before.rawInputs, p)) !== JSON.stringify(get(after.rawInputs, p)));
}

function edit(config: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const copy = structuredClone(config);
    const parts = path.split(".");
    let target = copy as Record<string, any>;
    for (const part of parts.slice(0, -1)) target = target[part] = target[part] ?? {};
    target[parts[parts.length - 1]] = value;
    return copy;
}

export async function blastRadius(): Promise<{ scenarios: BlastRadius[]; fullInstallHosts: number }> {
    const base = edit(generatedStack("openstack", 100), "kubernetes.version", "1.33.5");
    const run = (config: Record<string, unknown>, previousOutputs?: Record<string, unknown>) => runOffline(config, () => defineCluster(projectConfig()), { stack: "bench", previousOutputs });
    const before = await run(base);
    const hosts = 103;
    const scenarios: [string, Record<string, unknown>][] = [
        ["+1 worker", edit(base, "infrastructure.workerPools", [{ ...(base.infrastructure as any).workerPools[0], count: 101 }])],
        ["+10 workers", edit(base, "infrastructure.workerPools", [{ ...(base.infrastructure as any).workerPools[0], count: 110 }])],
        ["-1 worker", edit(base, "infrastructure.workerPools", [{ ...(base.infrastructure as any).workerPools[0], count: 99 }])],
        ["patch upgrade", edit(base, "kubernetes.version", "1.33.7")],
        ["minor upgrade", edit(base, "kubernetes.version", "1.34.2")],
        ["services-only change", edit(base, "services", { ...(base.services as object), loki: { enabled: false } })],
        ["key rotation", edit(base, "operations", { keyRotation: { sshGeneration: 1, ageGeneration: 1 } })],
    ];
    const results: BlastRadius[] = [];
    for (const [scenario, config] of scenarios) {
        // The next `pulumi up`: it reads the deployed record the first one wrote.
        const after = await run(config, before.outputs);
        results.push(measure(scenario, before, after, hosts));
    }
    return { scenarios: results, fullInstallHosts: hosts };
}

function measure(scenario: string, before: OfflineRun, after: OfflineRun, hosts: number): BlastRadius {
    const changes = kubesprayChanges(before, after);
    const runs: string[] = [];
    let touched = new Set<string>();
    for (const change of changes) {
        for (const step of change.plan.steps) {
            if (step.kind === "authorize") {
                runs.push(`authorize-keys.yml (${step.title})`);
                touched = new Set([...touched, ...Array.from({ length: hosts }, (_, i) => `host-${i}`)]);
                continue;
            }
            if (step.kind !== "playbook") continue;
            runs.push(`${step.playbook}${step.limit ? ` --limit ${step.limit.length > 3 ? `${step.limit.length} hosts` : step.limit.join(",")}` : ""}${step.extraVars.node ? ` node=${step.extraVars.node}` : ""}`);
            if (step.playbook === "playbooks/facts.yml") continue;
            const targets = step.extraVars.node ? String(step.extraVars.node).split(",") : step.limit && !step.limit.some((l) => ["etcd", "kube_control_plane"].includes(l)) ? [...step.limit] : Array.from({ length: hosts }, (_, i) => `host-${i}`);
            touched = new Set([...touched, ...targets]);
        }
    }
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const changed = after.resources.filter((r) => old.has(r.urn) && JSON.stringify(old.get(r.urn)!.rawInputs) !== JSON.stringify(r.rawInputs));
    return {
        scenario,
        kubesprayRuns: runs,
        hostsTouched: touched.size,
        resourcesChanged: changed.length + after.resources.filter((r) => !old.has(r.urn)).length + before.resources.filter((r) => !after.resources.some((a) => a.urn === r.urn)).length,
        resourcesReplaced: changed.filter((r) => replaced(old.get(r.urn)!, r)).length,
    };
}
