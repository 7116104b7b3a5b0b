import type { SpecIssue } from "../errors";
import type { ClusterConfig } from "../schema";

/** What a rule sees: the parsed config, and where it reports errors and warnings. */
export interface RuleContext {
    readonly config: ClusterConfig;
    error(path: string, message: string): void;
    warn(path: string, message: string): void;
}

export type Rule = (ctx: RuleContext) => void;

export function collect(config: ClusterConfig, rules: readonly Rule[]): { errors: SpecIssue[]; warnings: SpecIssue[] } {
    const errors: SpecIssue[] = [];
    const warnings: SpecIssue[] = [];
    const ctx: RuleContext = {
        config,
        error: (path, message) => errors.push({ path, message }),
        warn: (path, message) => warnings.push({ path, message }),
    };
    for (const rule of rules) {
        rule(ctx);
    }
    return { errors, warnings };
}
