/**
 * Fakes for the commands' injected dependencies. No Pulumi engine can run here, so the Automation API is
 * faked at the surface the commands use (cli/automation.ts `AutomationStack`), behaving as the real one is
 * declared to in node_modules/@pulumi/pulumi/automation:
 * - stack.d.ts `preview(opts)`: calls `opts.onEvent` for every engine event (stack.js reads the CLI's
 *   --event-log), resolves `{ stdout, stderr, changeSummary }` with changeSummary from the summary event,
 *   and rejects with a CommandError when the CLI exits non-zero: on errors, and with `expectNoChanges` on
 *   any change (pkg/cmd/pulumi/preview.go: "no changes were expected but changes were proposed");
 * - events.d.ts: steps arrive as `resourcePreEvent.metadata` ({op, urn, type, diffs, keys, detailedDiff:
 *   {path: {diffKind, inputDiff}}}), errors as `diagnosticEvent` (severity "error"), policy violations as
 *   `policyEvent`, the totals as `summaryEvent.resourceChanges`;
 * - `outputs()` resolves `{ key: { value, secret } }`; `exportStack()` `{ version, deployment }`.
 */
import type { EngineEvent, PreviewOptions, PreviewResult } from "@pulumi/pulumi/automation";
import type { AutomationStack, StackOpener, StackState } from "../../cli/automation";

/** A CommandError's message as the Automation API builds it (errors.js createCommandError). */
export function commandError(stderr: string, code = 255): Error {
    const error = new Error(`code: ${code}\n stdout: \n stderr: ${stderr}\n err?: Error: Command failed with exit code ${code}\n`);
    error.name = "CommandError";
    return error;
}

/** The engine events a `pulumi preview --json` document stands for (steps, diagnostics, summary). */
export function eventsFromPreview(preview: { steps?: any[]; diagnostics?: any[]; changeSummary?: Record<string, number> }): EngineEvent[] {
    let sequence = 0;
    const events: EngineEvent[] = [];
    for (const step of preview.steps ?? []) {
        events.push({
            sequence: sequence++, timestamp: 0,
            resourcePreEvent: {
                planning: true,
                metadata: {
                    op: step.op, urn: step.urn, type: step.newState?.type ?? step.oldState?.type ?? "", provider: "",
                    diffs: step.diffReasons, keys: step.replaceReasons,
                    detailedDiff: step.detailedDiff && Object.fromEntries(Object.entries(step.detailedDiff as Record<string, { kind: string; inputDiff: boolean }>)
                        .map(([path, diff]) => [path, { diffKind: diff.kind as any, inputDiff: diff.inputDiff }])),
                },
            },
        });
    }
    for (const diagnostic of preview.diagnostics ?? []) {
        events.push({ sequence: sequence++, timestamp: 0, diagnosticEvent: { message: diagnostic.message, color: "never", severity: diagnostic.severity } });
    }
    events.push({ sequence: sequence++, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: (preview.changeSummary ?? {}) as any, policyPacks: {} } });
    return events;
}

export interface FakeScript {
    readonly events?: EngineEvent[];
    /** Reject the preview with this after the events (a CommandError). */
    readonly reject?: Error;
    readonly outputs?: Record<string, { value: unknown; secret: boolean }>;
    readonly state?: StackState;
    /** Awaited inside preview (to hold a stack "running"). */
    readonly during?: () => Promise<void>;
}

export class FakeStack implements AutomationStack {
    readonly previews: PreviewOptions[] = [];
    imported?: StackState;
    umaskAtImport?: number;

    constructor(readonly name: string, private readonly script: FakeScript = {}) {}

    async preview(opts: PreviewOptions = {}): Promise<PreviewResult> {
        this.previews.push(opts);
        await this.script.during?.();
        let changeSummary: Record<string, number> = {};
        let changed = false;
        for (const event of this.script.events ?? []) {
            opts.onEvent?.(event);
            if (event.summaryEvent) changeSummary = event.summaryEvent.resourceChanges as Record<string, number>;
            const op = event.resourcePreEvent?.metadata.op;
            if (op && !["same", "read", "refresh"].includes(op)) changed = true;
        }
        if (this.script.reject) throw this.script.reject;
        if (opts.expectNoChanges && changed) throw commandError("error: no changes were expected but changes were proposed");
        return { stdout: "", stderr: "", changeSummary: changeSummary as PreviewResult["changeSummary"] };
    }

    async outputs() {
        if (!this.script.outputs) throw commandError("error: no outputs");
        return this.script.outputs;
    }

    async exportStack(): Promise<StackState> {
        return this.imported ?? this.script.state ?? { version: 3, deployment: { manifest: {}, resources: [] } };
    }

    async importStack(state: StackState): Promise<void> {
        this.umaskAtImport = process.umask();
        this.imported = JSON.parse(JSON.stringify(state));
    }
}

export function fakeOpener(stacks: Record<string, FakeStack>, created: string[] = []): StackOpener {
    return {
        select: async (stack) => {
            if (!Object.hasOwn(stacks, stack)) throw commandError(`error: no stack named '${stack}' found`);
            return stacks[stack];
        },
        createOrSelect: async (stack) => {
            if (!Object.hasOwn(stacks, stack)) {
                stacks[stack] = new FakeStack(stack);
                created.push(stack);
            }
            return stacks[stack];
        },
    };
}

/** Runs `work` with process.stdout/stderr captured (in-process command tests). */
export async function captured(work: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const out = process.stdout.write;
    const err = process.stderr.write;
    process.stdout.write = ((chunk: string | Uint8Array) => { stdout += chunk.toString(); return true; }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => { stderr += chunk.toString(); return true; }) as typeof process.stderr.write;
    try {
        const code = await work();
        return { code, stdout, stderr };
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
    }
}
