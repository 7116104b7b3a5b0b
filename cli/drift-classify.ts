/**
 * Classifies the steps of `pulumi preview --refresh --expect-no-changes --json` the way openCenter's
 * `cluster drift detect` does: per drifted resource and property, a severity (critical: a machine,
 * network, volume or load balancer would be replaced or is missing; warning: security rules, members,
 * sizes; info: tags, labels, metadata) and whether `pulumi up` reconciles it safely (an in-place
 * update does; a replacement or re-creation of infrastructure needs a person). Values are never read,
 * so secrets cannot leak: only property paths are reported.
 */
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

interface PreviewStep {
    op: string;
    urn: string;
    oldState?: { type?: string };
    newState?: { type?: string };
    diffReasons?: string[];
    replaceReasons?: string[];
    detailedDiff?: Record<string, { kind: string }>;
}

interface PreviewDigest {
    steps?: PreviewStep[];
    diagnostics?: { urn?: string; message?: string; severity?: string }[];
}

const NO_CHANGE = new Set(["same", "read", "refresh", "discard", "import"]);

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

export function classify(preview: PreviewDigest): DriftReport {
    const items: DriftItem[] = [];
    for (const step of preview.steps ?? []) {
        if (NO_CHANGE.has(step.op)) continue;
        const type = typeOf(step);
        const name = step.urn.split("::").pop() ?? step.urn;
        const base = { urn: step.urn, type, name, op: step.op };
        const critical = CRITICAL_TYPES.some((pattern) => pattern.test(type));
        if (step.op === "create" || step.op === "create-replacement") {
            items.push({ ...base, property: "(resource)", severity: critical ? "critical" : "warning", reconcilable: !critical,
                reason: step.op === "create" ? "missing: it no longer exists and would be created again" : "would be replaced" });
            continue;
        }
        if (step.op === "delete" || step.op === "delete-replaced") {
            items.push({ ...base, property: "(resource)", severity: critical ? "critical" : "warning", reconcilable: !critical, reason: "would be deleted" });
            continue;
        }
        const entries = Object.entries(step.detailedDiff ?? {});
        if (entries.length === 0) {
            const properties = step.op === "replace" ? step.replaceReasons ?? [] : step.diffReasons ?? [];
            for (const property of properties.length ? properties : ["(resource)"]) {
                const { severity, reconcilable } = classifyProperty(type, property, step.op === "replace" ? "update-replace" : "update");
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
    const count = (severity: Severity) => items.filter((i) => i.severity === severity).length;
    return {
        items,
        errors,
        summary: {
            critical: count("critical"), warning: count("warning"), info: count("info"),
            resources: new Set(items.map((i) => i.urn)).size, reconcilable: items.filter((i) => i.reconcilable).length,
        },
    };
}

export function renderTable(report: DriftReport): string {
    if (report.items.length === 0) return "No drift: the live infrastructure matches the program.";
    const rows = report.items.map((i) => [i.severity, i.reconcilable ? "yes" : "no", i.type.split(":").pop() ?? i.type, i.name, i.property, i.reason]);
    const header = ["severity", "up fixes", "type", "name", "property", "why"];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
    const { summary } = report;
    return [line(header), ...rows.map(line), "",
        `${summary.resources} resource(s) drifted: ${summary.critical} critical, ${summary.warning} warning, ${summary.info} info; ${summary.reconcilable} item(s) pulumi up reconciles safely.`].join("\n");
}

export function renderMarkdown(stack: string, report: DriftReport): string {
    const lines = [`# Drift review of stack \`${stack}\``, ""];
    if (report.items.length === 0) {
        return [...lines, "No drift: the live infrastructure matches the program.", ""].join("\n");
    }
    lines.push("| severity | pulumi up fixes it | type | name | property | why |", "|---|---|---|---|---|---|");
    for (const i of report.items) {
        lines.push(`| ${i.severity} | ${i.reconcilable ? "yes" : "no, review first"} | \`${i.type}\` | ${i.name} | \`${i.property}\` | ${i.reason} |`);
    }
    const { summary } = report;
    lines.push("", `${summary.resources} resource(s) drifted: ${summary.critical} critical, ${summary.warning} warning, ${summary.info} info.`, "");
    return lines.join("\n");
}
