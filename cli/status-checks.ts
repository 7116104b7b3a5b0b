/**
 * What `clusters status` checks on a live cluster, as pure functions of what was read: the facts come
 * from a `ClusterReader` (the real one talks to the API server with @kubernetes/client-node; tests
 * hand in fakes), the expectations from the stack file and the stack's outputs. One row per check, and
 * rows only for the nodes or Kustomizations that need a look, so a 1,000-node cluster is still one table.
 */
import { X509Certificate } from "crypto";
import { parse as parseYaml } from "yaml";
import { escapeTerminal, paint } from "./terminal";

/** ok; warn: soon needs a person; attention: needs a person now; unknown: could not be checked. */
export type CheckState = "ok" | "warn" | "attention" | "unknown";

export interface StatusRow {
    readonly check: string;
    readonly subject: string;
    readonly state: CheckState;
    readonly detail: string;
}

export interface NodeFact { readonly name: string; readonly ready: boolean; readonly reason?: string; readonly unschedulable?: boolean }
export interface ApiCheckFact { readonly name: string; readonly ok: boolean }
export interface ApiHealthFact { readonly checks: readonly ApiCheckFact[]; readonly servingCertificate?: { readonly subject: string; readonly validTo: Date } }
export interface PodFact { readonly name: string; readonly node?: string; readonly ready: boolean; readonly reason?: string }
export interface KustomizationFact { readonly namespace: string; readonly name: string; readonly ready?: "True" | "False" | "Unknown"; readonly reason?: string; readonly message?: string; readonly suspended?: boolean }
export interface CronJobFact { readonly namespace: string; readonly name: string; readonly schedule: string; readonly suspended?: boolean; readonly lastSuccessfulTime?: Date; readonly lastScheduleTime?: Date }

/** What status reads from the API server; each call may fail on its own (its rows become "unknown"). */
export interface ClusterReader {
    nodes(): Promise<NodeFact[]>;
    /** `GET /readyz?verbose` (the etcd and etcd-readiness checks among them) and the API server's serving certificate. */
    apiHealth(): Promise<ApiHealthFact>;
    /** kube-system pods labelled `component=etcd` (kubeadm-managed etcd; none with Kubespray's default host etcd). */
    etcdPods(): Promise<PodFact[]>;
    kustomizations(): Promise<KustomizationFact[]>;
    cronJobs(): Promise<CronJobFact[]>;
}

export interface ExpectedNode { readonly name: string; readonly role: string; readonly pool: string }

export interface StatusInputs {
    readonly stack: string;
    readonly expectedNodes: readonly ExpectedNode[];
    /** Stack outputs (plain values; `*RotationDue` dates among them). */
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly kubeconfig?: string;
    readonly cluster: ClusterReader;
    readonly now: Date;
}

/** Thresholds, in days. Kubespray's kubeadm certificates last one year; key rotation periods are 90 to 180 days. */
export const LIMITS = { certificateAttentionDays: 30, certificateWarnDays: 90, keyWarnDays: 14, snapshotMaxAgeHours: 48 } as const;
/** At most this many problem rows per check; the rest are counted. */
export const MAX_ROWS_PER_CHECK = 20;

const DAY = 24 * 60 * 60 * 1000;
const days = (ms: number) => Math.floor(ms / DAY);
const date = (d: Date) => d.toISOString().slice(0, 10);

function bounded(rows: StatusRow[], check: string, state: CheckState): StatusRow[] {
    if (rows.length <= MAX_ROWS_PER_CHECK) return rows;
    return [...rows.slice(0, MAX_ROWS_PER_CHECK), { check, subject: "…", state, detail: `and ${rows.length - MAX_ROWS_PER_CHECK} more` }];
}

async function attempt<T>(check: string, read: () => Promise<T>, evaluate: (facts: T) => StatusRow[]): Promise<StatusRow[]> {
    let facts: T;
    try {
        facts = await read();
    } catch (error) {
        return [{ check, subject: "-", state: "unknown", detail: `could not read: ${error instanceof Error ? error.message : String(error)}` }];
    }
    return evaluate(facts);
}

export function nodeRows(expected: readonly ExpectedNode[], nodes: readonly NodeFact[]): StatusRow[] {
    const live = new Map(nodes.map((n) => [n.name, n]));
    const wanted = new Set(expected.map((n) => n.name));
    const problems: StatusRow[] = [];
    let ready = 0;
    for (const node of expected) {
        const fact = live.get(node.name);
        if (!fact) {
            problems.push({ check: "node", subject: node.name, state: "attention", detail: `in the stack file (${node.pool}), not in the cluster` });
        } else if (!fact.ready) {
            problems.push({ check: "node", subject: node.name, state: "attention", detail: `NotReady${fact.reason ? `: ${fact.reason}` : ""}` });
        } else {
            ready++;
            if (fact.unschedulable) problems.push({ check: "node", subject: node.name, state: "warn", detail: "Ready but cordoned (unschedulable)" });
        }
    }
    for (const node of nodes) {
        if (!wanted.has(node.name)) problems.push({ check: "node", subject: node.name, state: "warn", detail: "in the cluster, not in the stack file" });
    }
    const summary: StatusRow = {
        check: "nodes", subject: `${expected.length} in the stack file`,
        state: ready === expected.length ? "ok" : "attention", detail: `${ready} of ${expected.length} Ready`,
    };
    return [summary, ...bounded(problems, "node", "attention")];
}

export function etcdRows(health: ApiHealthFact | Error, pods: readonly PodFact[] | Error): StatusRow[] {
    const rows: StatusRow[] = [];
    if (health instanceof Error) {
        rows.push({ check: "etcd", subject: "API server /readyz", state: "unknown", detail: `could not read: ${health.message}` });
    } else {
        const etcd = health.checks.filter((c) => c.name === "etcd" || c.name === "etcd-readiness");
        rows.push(etcd.length === 0
            ? { check: "etcd", subject: "API server /readyz", state: "unknown", detail: "the API server reported no etcd check" }
            : etcd.every((c) => c.ok)
                ? { check: "etcd", subject: "API server /readyz", state: "ok", detail: etcd.map((c) => `${c.name} ok`).join(", ") }
                : { check: "etcd", subject: "API server /readyz", state: "attention", detail: etcd.map((c) => `${c.name} ${c.ok ? "ok" : "failed"}`).join(", ") });
    }
    if (pods instanceof Error) {
        rows.push({ check: "etcd", subject: "members", state: "unknown", detail: `could not read: ${pods.message}` });
    } else if (pods.length === 0) {
        // Kubespray v2.31.0 roles/kubespray_defaults/defaults/main/main.yml: etcd_deployment_type: host.
        rows.push({ check: "etcd", subject: "members", state: "ok", detail: "etcd runs as a host service (Kubespray's default): per-member health is `etcdctl endpoint health --cluster` on a control-plane node" });
    } else {
        for (const pod of pods) {
            rows.push({ check: "etcd", subject: pod.node ?? pod.name, state: pod.ready ? "ok" : "attention", detail: pod.ready ? "member Ready" : `member not Ready${pod.reason ? `: ${pod.reason}` : ""}` });
        }
    }
    return rows;
}

export function certificateRow(subject: string, validTo: Date, now: Date): StatusRow {
    const left = days(validTo.getTime() - now.getTime());
    const state: CheckState = left < LIMITS.certificateAttentionDays ? "attention" : left < LIMITS.certificateWarnDays ? "warn" : "ok";
    return { check: "certificate", subject, state, detail: left < 0 ? `expired ${date(validTo)}` : `expires ${date(validTo)} (${left} days)` };
}

/**
 * The admin client certificate embedded in the kubeconfig (`client-certificate-data`), when there is one:
 * only in a kubeconfig fetched before the program switched to a service-account token (which does not
 * expire and has no row here; `operations.keyRotation.kubeconfigGeneration` rotates it).
 */
export function kubeconfigCertificate(kubeconfig: string): { subject: string; validTo: Date } | undefined {
    const document = parseYaml(kubeconfig) as { users?: { name?: string; user?: Record<string, unknown> }[] } | null;
    for (const user of document?.users ?? []) {
        const data = user.user?.["client-certificate-data"];
        if (typeof data === "string") {
            const certificate = new X509Certificate(Buffer.from(data, "base64"));
            return { subject: `kubeconfig client certificate (${user.name ?? "user"})`, validTo: new Date(certificate.validTo) };
        }
    }
    return undefined;
}

export function kustomizationRows(items: readonly KustomizationFact[]): StatusRow[] {
    const problems: StatusRow[] = [];
    let ready = 0;
    for (const k of items) {
        const subject = `${k.namespace}/${k.name}`;
        if (k.suspended) {
            problems.push({ check: "flux", subject, state: "warn", detail: "suspended" });
        } else if (k.ready === "True") {
            ready++;
        } else {
            problems.push({ check: "flux", subject, state: "attention", detail: `Ready=${k.ready ?? "missing"}${k.reason ? ` (${k.reason})` : ""}${k.message ? `: ${k.message.split("\n")[0].slice(0, 200)}` : ""}` });
        }
    }
    const summary: StatusRow = items.length === 0
        ? { check: "flux", subject: "Kustomizations", state: "attention", detail: "none found: is Flux installed and bootstrapped?" }
        : { check: "flux", subject: "Kustomizations", state: ready === items.length ? "ok" : problems.some((p) => p.state === "attention") ? "attention" : "warn", detail: `${ready} of ${items.length} Ready` };
    return [summary, ...bounded(problems, "flux", "attention")];
}

/** Every stack output named `<key>RotationDue` (sshKeyRotationDue, ageKeyRotationDue, …): overdue needs a person. */
export function keyRows(outputs: Readonly<Record<string, unknown>>, now: Date): StatusRow[] {
    const rows: StatusRow[] = [];
    for (const [name, value] of Object.entries(outputs).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (!name.endsWith("RotationDue") || value === undefined || value === null) continue;
        const due = new Date(String(value));
        const subject = name.replace(/RotationDue$/, "");
        if (Number.isNaN(due.getTime())) {
            rows.push({ check: "key", subject, state: "unknown", detail: `${name} is not a date` });
            continue;
        }
        const left = days(due.getTime() - now.getTime());
        rows.push(left < 0
            ? { check: "key", subject, state: "attention", detail: `rotation overdue since ${date(due)}: bump its generation in operations.keyRotation` }
            : { check: "key", subject, state: left < LIMITS.keyWarnDays ? "warn" : "ok", detail: `rotation due ${date(due)} (${left} days)` });
    }
    if (rows.length === 0) rows.push({ check: "key", subject: "-", state: "unknown", detail: "no *RotationDue stack output" });
    return rows;
}

/** The newest successful run of a CronJob that takes etcd snapshots (openCenter's etcd-backup, daily at 01:00). */
export function snapshotRows(jobs: readonly CronJobFact[], now: Date): StatusRow[] {
    const etcd = jobs.filter((j) => /etcd/i.test(j.name) && /backup|snapshot/i.test(j.name));
    if (etcd.length === 0) {
        return [{ check: "etcd snapshot", subject: "-", state: "warn", detail: "no etcd backup CronJob found; Kubespray's pre-upgrade snapshots stay on the control-plane nodes (/var/backups)" }];
    }
    return etcd.map((job) => {
        const subject = `${job.namespace}/${job.name}`;
        if (job.suspended) return { check: "etcd snapshot", subject, state: "attention", detail: "the CronJob is suspended" };
        if (!job.lastSuccessfulTime) return { check: "etcd snapshot", subject, state: "attention", detail: `no successful run yet (schedule ${job.schedule})` };
        const hours = Math.floor((now.getTime() - job.lastSuccessfulTime.getTime()) / 3_600_000);
        return { check: "etcd snapshot", subject, state: hours > LIMITS.snapshotMaxAgeHours ? "attention" : "ok", detail: `last success ${job.lastSuccessfulTime.toISOString()} (${hours} h ago)` };
    });
}

export async function evaluateStatus(inputs: StatusInputs): Promise<StatusRow[]> {
    const { cluster, now } = inputs;
    const settle = async <T>(read: () => Promise<T>): Promise<T | Error> => read().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    const [health, pods] = await Promise.all([settle(() => cluster.apiHealth()), settle(() => cluster.etcdPods())]);
    const rows: StatusRow[] = [];
    rows.push(...await attempt("nodes", () => cluster.nodes(), (nodes) => nodeRows(inputs.expectedNodes, nodes)));
    rows.push(...etcdRows(health, pods));
    if (!(health instanceof Error) && health.servingCertificate) {
        rows.push(certificateRow(`API server (${health.servingCertificate.subject})`, health.servingCertificate.validTo, now));
    } else {
        rows.push({ check: "certificate", subject: "API server", state: "unknown", detail: "the serving certificate could not be read" });
    }
    const client = inputs.kubeconfig ? kubeconfigCertificate(inputs.kubeconfig) : undefined;
    if (client) rows.push(certificateRow(client.subject, client.validTo, now));
    rows.push(...await attempt("flux", () => cluster.kustomizations(), kustomizationRows));
    rows.push(...keyRows(inputs.outputs, now));
    rows.push(...await attempt("etcd snapshot", () => cluster.cronJobs(), (jobs) => snapshotRows(jobs, now)));
    return rows;
}

/** A person is needed when a row says so, or a check could not run. */
export function needsAPerson(rows: readonly StatusRow[]): boolean {
    return rows.some((r) => r.state === "attention" || r.state === "unknown");
}

/** Neither the node list nor the API server's health could be read: the cluster is not reachable. */
export function unreachable(rows: readonly StatusRow[]): boolean {
    return rows.some((r) => r.check === "nodes" && r.state === "unknown")
        && rows.some((r) => r.check === "etcd" && r.subject === "API server /readyz" && r.state === "unknown");
}

export function renderStatus(rows: readonly StatusRow[], stream: NodeJS.WriteStream = process.stdout): string {
    const header = ["check", "subject", "state", "detail"];
    const cells = rows.map((r) => [r.check, r.subject, r.state, r.detail].map(escapeTerminal));
    const widths = header.map((h) => h.length);
    for (const row of cells) for (let c = 0; c < 3; c++) widths[c] = Math.max(widths[c], row[c].length);
    const colour = { ok: "green", warn: "yellow", attention: "red", unknown: "magenta" } as const;
    const line = (row: string[], state?: CheckState) => [row[0].padEnd(widths[0]), row[1].padEnd(widths[1]),
        state ? paint(stream, colour[state], row[2].padEnd(widths[2])) : row[2].padEnd(widths[2]), row[3]].join("  ").trimEnd();
    return [line(header), ...cells.map((row, i) => line(row, rows[i].state))].join("\n");
}

/** What status checks, for `--offline` and machines without Pulumi or a cluster. */
export function describeChecks(stack: string, expected: readonly ExpectedNode[]): string {
    const pools: Record<string, number> = {};
    for (const node of expected) pools[node.pool] = (pools[node.pool] ?? 0) + 1;
    return [
        `Offline: no Pulumi or no cluster to ask. On a live cluster, \`clusters status --stack ${stack}\` reads the kubeconfig from the`,
        "stack output `kubeconfig` (Automation API) and checks:",
        `  nodes          the ${expected.length} nodes of the stack file (${Object.entries(pools).map(([p, n]) => `${p}=${n}`).join(", ")}) exist and are Ready; extra or cordoned nodes`,
        "  etcd           the API server's etcd checks (/readyz?verbose); etcd member pods when etcd runs in pods",
        `  certificate    the API server's serving certificate and the kubeconfig's client certificate (attention under ${LIMITS.certificateAttentionDays} days)`,
        "  flux           every Flux Kustomization is Ready (none suspended)",
        `  key            stack outputs *RotationDue (sshKeyRotationDue, ageKeyRotationDue, …): overdue needs a person, ${LIMITS.keyWarnDays} days before warns`,
        `  etcd snapshot  the last successful run of the etcd backup CronJob (attention after ${LIMITS.snapshotMaxAgeHours} h)`,
        "Exit 0 when everything is ok or only warns, 2 when anything needs a person, 1 when the cluster cannot be reached.",
    ].join("\n");
}
