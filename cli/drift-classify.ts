/**
 * Classifies the steps of `pulumi preview --refresh --expect-no-changes --json` the way openCenter's
 * `cluster drift detect` does: per drifted resource and property, a severity (critical: a machine,
 * network, volume or load balancer would be replaced or is missing; warning: security rules, members,
 * sizes; info: tags, labels, metadata) and whether `pulumi up` reconciles it safely (an in-place
 * update does; a replacement or re-creation of infrastructure needs a person). Values are never read,
 * so secrets cannot leak: only property paths are reported.
 */
import { z } from "zod";
import { escapeMarkdownCell, escapeTerminal, markdownCode } from "./terminal";

export type Severity = "critical" | "warning" | "info";

export interface DriftItem {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly op: string;
    readonly property: string;
    readonly severity: Severity;
    readonly reconcilable: boolean;
    readonly reason: string;
}

export interface DriftReport {
    readonly items: readonly DriftItem[];
    readonly errors: readonly string[];
    readonly summary: Readonly<Record<Severity, number>> & { readonly resources: number; readonly reconcilable: number };
}

/**
 * The parts of `pulumi preview --json` this reads (`PreviewDigest` and `PreviewStep` in pulumi/pulumi
 * sdk/go/common/display/json.go; every field is `omitempty`). Anything else in the document is ignored;
 * a document without these shapes is not a preview and is refused.
 */
const previewStepSchema = z.looseObject({
    op: z.string(),
    urn: z.string(),
    oldState: z.looseObject({ type: z.string().optional() }).nullish(),
    newState: z.looseObject({ type: z.string().optional() }).nullish(),
    diffReasons: z.array(z.string()).nullish(),
    replaceReasons: z.array(z.string()).nullish(),
    detailedDiff: z.record(z.string(), z.looseObject({ kind: z.string() })).nullish(),
});

const previewDigestSchema = z.looseObject({
    steps: z.array(previewStepSchema).nullish(),
    diagnostics: z.array(z.looseObject({ urn: z.string().optional(), message: z.string().optional(), severity: z.string().optional() })).nullish(),
    changeSummary: z.record(z.string(), z.number()).nullish(),
});

export type PreviewStep = z.infer<typeof previewStepSchema>;
export type PreviewDigest = z.infer<typeof previewDigestSchema>;

export class NotAPreviewError extends Error {}

/**
 * Checks that a parsed JSON value is a `pulumi preview --json` document. A real preview always lists at
 * least the stack resource (`pulumi:pulumi:Stack`) as a step, or the diagnostics of why it failed; so
 * `{}`, `[]` and `42` are refused instead of being read as "no drift".
 */
export function parsePreview(value: unknown): PreviewDigest {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new NotAPreviewError(`not a \`pulumi preview --json\` document: expected a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`);
    }
    const parsed = previewDigestSchema.safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new NotAPreviewError(`not a \`pulumi preview --json\` document: ${issue.path.join(".") || "(root)"}: ${issue.message}`
            + (parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : ""));
    }
    if (!parsed.data.steps?.length && !parsed.data.diagnostics?.length) {
        throw new NotAPreviewError("not a `pulumi preview --json` document: it has no steps and no diagnostics (a real preview lists at least the pulumi:pulumi:Stack resource)");
    }
    return parsed.data;
}

const NO_CHANGE = new Set(["same", "read", "refresh", "discard", "import"]);

/**
 * The steps of one replacement: the engine reports `create-replacement`, `replace` and `delete-replaced`
 * (in that order, or delete first with deleteBeforeReplace) for the same URN. They are one change.
 */
const REPLACEMENT_FAMILY = new Set(["replace", "create-replacement", "delete-replaced", "read-replacement", "discard-replaced"]);

/** Infrastructure whose loss or replacement takes nodes, data or the API with it. */
const CRITICAL_TYPES = [
    /compute\/instance:Instance$/, /virtualMachine:VirtualMachine$/, /kubevirt\.io\/v1:VirtualMachine$/,
    /networking\/(network|subnet|router|routerInterface|port):/, /blockstorage\/volume:Volume$/, /volumeAttach:VolumeAttach$/,
    /loadbalancer\/loadBalancer:LoadBalancer$/, /loadbalancer\.harvesterhci\.io\/v1beta1:LoadBalancer$/, /NetworkAttachmentDefinition$/,
];

const INFO_PROPERTY = /(^|\.)(tags|labels|annotations|metadata|description|annotation)(\.|\[|$)/;
const WARNING_PROPERTY = /(secGroupRule|securityGroup|allowedAddressPairs|allowedCidrs|members?|flavor|numCpus|memory|size|volumeSize|resources|replicas|policies|ports?)(\.|\[|$)/i;

function typeOf(step: PreviewStep): string {
    return step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2]?.split("$").pop() ?? "";
}

export function classifyProperty(type: string, property: string, kind: string): { severity: Severity; reconcilable: boolean } {
    const replace = kind.endsWith("-replace");
    const critical = CRITICAL_TYPES.some((pattern) => pattern.test(type));
    if (replace) {
        return { severity: critical ? "critical" : "warning", reconcilable: !critical };
    }
    if (INFO_PROPERTY.test(property) && !WARNING_PROPERTY.test(property.replace(INFO_PROPERTY, ""))) {
        return { severity: "info", reconcilable: true };
    }
    if (/secGroupRule|loadbalancer\/(member|listener|pool)/.test(type) || WARNING_PROPERTY.test(property)) {
        return { severity: "warning", reconcilable: true };
    }
    return { severity: critical ? "warning" : "info", reconcilable: true };
}

/** One step per URN and replacement: the `replace` step speaks for its family (it carries the reasons). */
function oneStepPerReplacement(steps: readonly PreviewStep[]): PreviewStep[] {
    const replaced = new Map<string, PreviewStep>();
    for (const step of steps) {
        if (REPLACEMENT_FAMILY.has(step.op) && (!replaced.has(step.urn) || step.op === "replace")) {
            replaced.set(step.urn, step);
        }
    }
    const kept: PreviewStep[] = [];
    for (const step of steps) {
        if (!REPLACEMENT_FAMILY.has(step.op)) {
            kept.push(step);
        } else if (replaced.get(step.urn) === step) {
            kept.push(step.op === "replace" ? step : { ...step, op: "replace" });
        }
    }
    return kept;
}

export function classify(preview: PreviewDigest): DriftReport {
    const items: DriftItem[] = [];
    for (const step of oneStepPerReplacement((preview.steps ?? []).filter((s) => !NO_CHANGE.has(s.op)))) {
        const type = typeOf(step);
        const name = step.urn.split("::").pop() ?? step.urn;
        const base = { urn: step.urn, type, name, op: step.op };
        const critical = CRITICAL_TYPES.some((pattern) => pattern.test(type));
        if (step.op === "create") {
            items.push({ ...base, property: "(resource)", severity: critical ? "critical" : "warning", reconcilable: !critical,
                reason: "missing: it no longer exists and would be created again" });
            continue;
        }
        if (step.op === "delete") {
            items.push({ ...base, property: "(resource)", severity: critical ? "critical" : "warning", reconcilable: !critical, reason: "would be deleted" });
            continue;
        }
        const entries = Object.entries(step.detailedDiff ?? {});
        if (entries.length === 0) {
            const properties = step.op === "replace" ? step.replaceReasons ?? [] : step.diffReasons ?? [];
            for (const property of properties.length ? properties : ["(resource)"]) {
                const { severity, reconcilable } = step.op === "replace" && property === "(resource)"
                    ? { severity: critical ? "critical" as const : "warning" as const, reconcilable: !critical }
                    : classifyProperty(type, property, step.op === "replace" ? "update-replace" : "update");
                items.push({ ...base, property, severity, reconcilable, reason: step.op === "replace" ? "would be replaced" : "differs from the program" });
            }
            continue;
        }
        for (const [property, diff] of entries) {
            const { severity, reconcilable } = classifyProperty(type, property, diff.kind);
            items.push({ ...base, property, severity, reconcilable, reason: diff.kind.endsWith("-replace") ? "a change here replaces the resource" : `${diff.kind.replace("-replace", "")} in the live resource` });
        }
    }
    const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => (d.message ?? "").trim());
    const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
    let reconcilable = 0;
    const resources = new Set<string>();
    for (const item of items) {
        counts[item.severity]++;
        if (item.reconcilable) reconcilable++;
        resources.add(item.urn);
    }
    return { items, errors, summary: { ...counts, resources: resources.size, reconcilable } };
}

/** The table a person reads in a terminal; every value from the preview is made inert (escapeTerminal). */
export function renderTable(report: DriftReport): string {
    if (report.items.length === 0) return "No drift: the live infrastructure matches the program.";
    const header = ["severity", "up fixes", "type", "name", "property", "why"];
    const rows = report.items.map((i) => [i.severity, i.reconcilable ? "yes" : "no", i.type.split(":").pop() ?? i.type, i.name, i.property, i.reason].map(escapeTerminal));
    // A loop, not Math.max(...rows): spreading a preview's rows into arguments overflows the stack.
    const widths = header.map((h) => h.length);
    for (const row of rows) {
        for (let c = 0; c < row.length; c++) widths[c] = Math.max(widths[c], row[c].length);
    }
    const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
    const { summary } = report;
    const lines = [line(header)];
    for (const row of rows) lines.push(line(row));
    lines.push("", `${summary.resources} resource(s) drifted: ${summary.critical} critical, ${summary.warning} warning, ${summary.info} info; ${summary.reconcilable} item(s) pulumi up reconciles safely.`);
    return lines.join("\n");
}

/** drift.md: values from the preview escaped so that `|`, backticks or control characters cannot break the table. */
export function renderMarkdown(stack: string, report: DriftReport): string {
    const lines = [`# Drift review of stack ${markdownCode(stack)}`, ""];
    if (report.items.length === 0) {
        return [...lines, "No drift: the live infrastructure matches the program.", ""].join("\n");
    }
    lines.push("| severity | pulumi up fixes it | type | name | property | why |", "|---|---|---|---|---|---|");
    for (const i of report.items) {
        lines.push(`| ${i.severity} | ${i.reconcilable ? "yes" : "no, review first"} | ${markdownCode(i.type)} | ${escapeMarkdownCell(i.name)} | ${markdownCode(i.property)} | ${escapeMarkdownCell(i.reason)} |`);
    }
    const { summary } = report;
    lines.push("", `${summary.resources} resource(s) drifted: ${summary.critical} critical, ${summary.warning} warning, ${summary.info} info.`, "");
    return lines.join("\n");
}
