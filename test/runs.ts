/** One offline run per example stack for the test files that only read it (the runs are deterministic). */
import type { OfflineRun } from "../offline/harness";
import { runStack } from "./helpers";

const runs = new Map<string, Promise<OfflineRun>>();

export function cachedRunStack(stack: string): Promise<OfflineRun> {
    if (!runs.has(stack)) {
        runs.set(stack, runStack(stack));
    }
    return runs.get(stack)!;
}
