/**
 * The commands drive Pulumi through its Automation API (`@pulumi/pulumi/automation`) instead of spawning
 * the CLI and parsing buffered JSON: a preview streams engine events as they happen (progress, steps,
 * diagnostics, policy violations), and state and outputs come back as objects.
 *
 * Only the part of the API the commands use is typed here (`AutomationStack`), so tests inject a fake of
 * it: no Pulumi engine can run here. What the real API does is cited from its declarations in
 * node_modules/@pulumi/pulumi/automation (stack.d.ts, events.d.ts, localWorkspace.d.ts, workspace.d.ts).
 */
import type { EngineEvent, OutputMap, PreviewOptions, PreviewResult } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../components/project";
import type { PreviewDigest, PreviewStep } from "./drift-classify";
import { assertStackName } from "./stack-name";

/** A stack's exported state (`Deployment` in workspace.d.ts: `{ version, deployment }`). */
export interface StackState {
    readonly version: number;
    readonly deployment: unknown;
}

/**
 * The subset of `Stack` (stack.d.ts) the commands call:
 * - `preview(opts)` runs `pulumi preview` with `--refresh`, `--expect-no-changes`, `--policy-pack`,
 *   `--policy-pack-config` from the options and calls `onEvent` for every engine event (it reads the
 *   CLI's `--event-log`). It rejects with a `CommandError` when the CLI exits non-zero, which it does for
 *   errors *and*, with `expectNoChanges`, for any change ("no changes were expected but changes were
 *   proposed", returned by pkg/cmd/pulumi/preview.go after the engine, not an engine event);
 * - `outputs()` runs `pulumi stack output --json --show-secrets` (secret values in clear, `secret: true`);
 * - `exportStack()` runs `pulumi stack export --show-secrets` (secrets in clear in the deployment);
 * - `importStack(state)` writes the state to a temporary file in os.tmpdir() and runs `pulumi stack import --file`.
 */
export interface AutomationStack {
    readonly name: string;
    preview(opts?: PreviewOptions): Promise<PreviewResult>;
    outputs(): Promise<OutputMap>;
    exportStack(): Promise<StackState>;
    importStack(state: StackState): Promise<void>;
}

/** How a command gets a stack: the real one selects it in a LocalWorkspace on the project directory. */
export interface StackOpener {
    /** An existing stack (`LocalWorkspace.selectStack`: fails when it does not exist). */
    select(stack: string): Promise<AutomationStack>;
    /** The stack, created first when it does not exist (`LocalWorkspace.createOrSelectStack`). */
    createOrSelect(stack: string): Promise<AutomationStack>;
}

/** Pulumi could not be started or reached: the message says what to do. */
export class PulumiUnavailableError extends Error {}

/**
 * The project's stacks through a LocalWorkspace on the project directory: Pulumi.yaml's `main`
 * (dist/index.js) and `stackConfigDir` (stacks/) apply as with the CLI. The module is loaded on first
 * use, so commands that never reach Pulumi do not pay for it.
 */
export function localStacks(workDir: string = PROJECT_ROOT): StackOpener {
    const open = async (stack: string, create: boolean): Promise<AutomationStack> => {
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        const args = { stackName: assertStackName(stack), workDir };
        try {
            return create ? await LocalWorkspace.createOrSelectStack(args) : await LocalWorkspace.selectStack(args);
        } catch (error) {
            throw explainPulumiError(error);
        }
    };
    return { select: (stack) => open(stack, false), createOrSelect: (stack) => open(stack, true) };
}

/** The text of an Automation API error (`CommandError` carries the CLI's stderr in its message). */
export function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** Turns "pulumi is not installed" into a sentence saying what to do; other errors pass unchanged. */
export function explainPulumiError(error: unknown): unknown {
    const text = errorText(error);
    // PulumiCommand.get (cmd.js) runs `pulumi version` first; without the CLI that spawn fails with ENOENT.
    if (/ENOENT/.test(text) && /pulumi/.test(text)) {
        return new PulumiUnavailableError("the Pulumi CLI (pulumi) is not on PATH: install it (https://www.pulumi.com/docs/install/)");
    }
    return error;
}

/** The last lines of a CommandError's stderr, for a one-line reason. */
export function stderrTail(error: unknown, lines = 5): string {
    const text = errorText(error);
    const stderr = /stderr: ([\s\S]*?)(?:\n err\?:|$)/.exec(text)?.[1] ?? text;
    return stderr.trim().split("\n").filter(Boolean).slice(-lines).join(" ");
}

/** Collects a preview's engine events into the same shape as `pulumi preview --json`. */
export class PreviewCollector {
    private readonly steps = new Map<string, PreviewStep>();
    readonly diagnostics: { urn?: string; message: string; severity: string }[] = [];
    readonly policyViolations: { policy: string; pack: string; level: string; urn?: string; message: string }[] = [];
    changeSummary: Record<string, number> = {};
    /** Resources the engine has looked at so far (for progress). */
    resourcesSeen = 0;

    /** For `PreviewOptions.onEvent`. */
    readonly onEvent = (event: EngineEvent): void => {
        const pre = event.resourcePreEvent?.metadata;
        if (pre) {
            this.resourcesSeen++;
            // events.d.ts StepEventMetadata: `diffs` are the changed keys, `keys` the ones forcing replacement,
            // `detailedDiff[path].diffKind` the kind; `--json` names them diffReasons, replaceReasons and `kind`.
            this.steps.set(`${pre.op}\u0000${pre.urn}`, {
                op: pre.op,
                urn: pre.urn,
                oldState: pre.old ? { type: pre.old.type } : undefined,
                newState: pre.new ? { type: pre.new.type } : { type: pre.type },
                diffReasons: pre.diffs,
                replaceReasons: pre.keys,
                detailedDiff: pre.detailedDiff
                    ? Object.fromEntries(Object.entries(pre.detailedDiff).map(([path, diff]) => [path, { kind: String(diff.diffKind) }]))
                    : undefined,
            });
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && !diagnostic.ephemeral && (diagnostic.severity === "error" || diagnostic.severity === "warning")) {
            this.diagnostics.push({ urn: diagnostic.urn, message: diagnostic.message, severity: diagnostic.severity });
        }
        const policy = event.policyEvent;
        if (policy) {
            this.policyViolations.push({ policy: policy.policyName, pack: policy.policyPackName, level: policy.enforcementLevel, urn: policy.resourceUrn, message: policy.message });
        }
        if (event.summaryEvent) {
            this.changeSummary = { ...event.summaryEvent.resourceChanges } as Record<string, number>;
        }
    };

    /** The steps and diagnostics, as `pulumi preview --json` would have printed them. */
    digest(): PreviewDigest {
        return { steps: [...this.steps.values()], diagnostics: this.diagnostics, changeSummary: this.changeSummary };
    }

    /** Steps that change something (everything but same/read/refresh). */
    changes(): PreviewStep[] {
        return [...this.steps.values()].filter((s) => !["same", "read", "refresh", "discard", "import"].includes(s.op));
    }

    errors(): string[] {
        return this.diagnostics.filter((d) => d.severity === "error").map((d) => d.message.trim());
    }

    mandatoryViolations(): string[] {
        return this.policyViolations.filter((p) => p.level === "mandatory").map((p) => `${p.pack}/${p.policy}: ${p.message.trim()}`);
    }
}

/** Policy pack arguments for a stack's environment, as the workflows pass them. */
export function policyPackOptions(packDir: string, configFile?: string): Pick<PreviewOptions, "policyPacks" | "policyPackConfigs"> {
    return { policyPacks: [packDir], ...(configFile ? { policyPackConfigs: [configFile] } : {}) };
}

/** Outputs as plain values (secret outputs arrive in clear from `outputs()`: keep them in memory only). */
export function outputValues(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}
