import { MAX_REPORTED_ISSUES } from "./limits";

/** One problem found in a stack file: where it is and what is allowed there. */
export interface SpecIssue {
    /** Field path as a person writes it, e.g. `infrastructure.workerPools[1].count`. */
    readonly path: string;
    readonly message: string;
}

/**
 * Thrown before any resource is registered when the stack file is not a valid cluster spec.
 * It carries every problem at once so a person fixes them in one pass.
 */
export class SpecError extends Error {
    constructor(readonly issues: readonly SpecIssue[]) {
        super(formatIssues(issues));
        this.name = "SpecError";
    }
}

/** Lists every problem up to MAX_REPORTED_ISSUES, then how many more there are (100,000 lines help no one). */
export function formatIssues(issues: readonly SpecIssue[]): string {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES);
    const lines = shown.map((issue) => `  - ${issue.path || "(stack file)"}: ${issue.message}`);
    if (issues.length > shown.length) {
        lines.push(`  … and ${issues.length - shown.length} more`);
    }
    const noun = issues.length === 1 ? "problem" : "problems";
    return `The cluster spec has ${issues.length} ${noun}:\n${lines.join("\n")}`;
}

/** `["infrastructure", "workerPools", 1, "count"]` → `infrastructure.workerPools[1].count`. */
export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const segment of path) {
        if (typeof segment === "number") {
            out += `[${segment}]`;
        } else {
            const key = String(segment);
            out += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
        }
    }
    return out;
}
