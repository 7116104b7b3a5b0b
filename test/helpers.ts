/** Running the program offline from tests: by stack name or from a config object. */
import { defineCluster, projectConfig } from "../components/program";
import { loadOfflineStack } from "../cli/stacks";
import { runOffline, type OfflineRun, type RecordedResource } from "../offline/harness";
import { withSecretStandIns } from "../spec";

export async function runStack(stack: string, options: { preview?: boolean; previousOutputs?: Record<string, unknown> } = {}): Promise<OfflineRun> {
    return runOffline(loadOfflineStack(stack).values, () => defineCluster(projectConfig()), { stack, ...options });
}

/** `previousOutputs`: the outputs of the previous `pulumi up` (its deployed record): a Day-2 run. Without: Day 1. */
export async function runConfig(config: Record<string, unknown>, options: { preview?: boolean; stack?: string; previousOutputs?: Record<string, unknown> } = {}): Promise<OfflineRun> {
    return runOffline(withSecretStandIns(config).values, () => defineCluster(projectConfig()), options);
}

export const ofType = (run: OfflineRun, type: string): RecordedResource[] => run.resources.filter((r) => r.type === type);

export const named = (run: OfflineRun, type: string, name: string): RecordedResource => {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        throw new Error(`no ${type} named ${name}; have: ${ofType(run, type).map((r) => r.name).join(", ")}`);
    }
    return found;
};

/** Resources whose inputs differ between two runs, and those only in one of them. */
export function diffRuns(before: OfflineRun, after: OfflineRun, include: (r: RecordedResource) => boolean = () => true): { added: string[]; removed: string[]; changed: string[] } {
    const index = (run: OfflineRun) => new Map(run.resources.filter(include).map((r) => [r.urn, JSON.stringify(r.rawInputs)]));
    const a = index(before);
    const b = index(after);
    return {
        added: [...b.keys()].filter((urn) => !a.has(urn)).sort(),
        removed: [...a.keys()].filter((urn) => !b.has(urn)).sort(),
        changed: [...b.keys()].filter((urn) => a.has(urn) && a.get(urn) !== b.get(urn)).sort(),
    };
}

export const urnName = (urn: string): string => urn.split("::").pop()!;

/** Every string found anywhere in a value. */
export function strings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === "object") return Object.values(value).flatMap(strings);
    return [];
}

/** Machines and networks, without the Kubespray commands (their changes are the scenario table's). */
export const infrastructureOnly = (r: RecordedResource): boolean => r.type !== "command:local:Command";
