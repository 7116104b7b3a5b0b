/** Files `npm run plan` writes beside resources.json, taken from what the program rendered. */
import type { ClusterSpec } from "../spec";
import type { OfflineRun } from "../offline/harness";

/** Each area contributes the files it renders; paths are relative to `out/<stack>/`. */
export function collectArtefacts(_spec: ClusterSpec, _run: OfflineRun): Record<string, string> {
    return {};
}
