/**
 * When the cluster's keys and certificates are due, from what a stack policy sees at deploy time (the
 * resources' outputs in state). The program has no clock; the policy does: `now` is the deploy time.
 *
 * Each date either blocks once past (`overdueBlocks`: `key-rotation-overdue`, mandatory, fails the
 * deployment until the stack file renews it) or only warns (`key-rotation-due` keeps warning past it):
 *
 * - SSH key, age key, Flux deploy key (blocking: the stack's rotation policy, openCenter's periods;
 *   `pulumi up` fails until the generation is bumped, or the policy config says otherwise): each
 *   current generation has a stamp command
 *   `<cluster>-<key>-g<generation>-created-at` (components/keys: `date -u` run once when the key is made)
 *   whose stdout is the creation time. The due date is the stack's own output (`sshKeyRotationDue`,
 *   `ageKeyRotationDue`, `fluxDeployKeyRotationDue` on the `pulumi:pulumi:Stack` resource: the stack
 *   file's period), else creation + the period in the policy config (openCenter: SSH 180 d, age 90 d).
 * - The Kubernetes provider's credential (the `<cluster>-kubeconfig` command's stdout): a
 *   ServiceAccount token (components/kubespray/playbooks/kubeconfig-account.yml), which does not expire
 *   (#12: a `pulumi up` a year later must work without manual steps), so its date is advisory only: a
 *   rotation date `kubeconfigDays` (default 365) after its Secret was made (the kubeconfig user's
 *   `clusters.pulumi.io/token` extension), renewed by bumping `operations.keyRotation.kubeconfigGeneration`
 *   whenever convenient. A kubeconfig from before the token (kubeadm's admin client certificate, one
 *   year) really expires: dated by that certificate, blocking; the same bump replaces it with a token.
 * - Cluster certificates: the nodes' kubeadm certificates (one year) are renewed monthly by Kubespray's
 *   `auto_renew_certificates` (`kubernetes.autoRenewCertificates`, on by default); the pack cannot read
 *   their dates, so it warns when the stack turns the renewal off (the cluster command's state says so).
 *   The cluster CA in the kubeconfig (kubeadm: ten years) is dated too, blocking (it really expires);
 *   nothing in Kubespray rotates it.
 *
 * A value not known yet (a key made in this very update) is not due: it is being made now.
 */
import { X509Certificate } from "crypto";
import { parse } from "yaml";
import type { CommonConfig, PlainResource } from "./types";

export type DueKind = "ssh" | "age" | "flux-deploy-key" | "kubeconfig-token" | "cluster-certificates" | "cluster-ca";

export interface Due {
    readonly kind: DueKind;
    /** What it is, for a person: "SSH key (generation 2)". */
    readonly subject: string;
    readonly due: Date;
    /** The stack-file change that renews it. */
    readonly renew: string;
    /** The stack-file field that renew names, for the finding's field. */
    readonly field: string;
    /**
     * Past the due date, `key-rotation-overdue` fails the deployment. False for a credential that keeps
     * working (the provider's ServiceAccount token): `key-rotation-due` keeps warning instead.
     */
    readonly overdueBlocks: boolean;
}

export const KEY_DEFAULTS = { sshDays: 180, ageDays: 90, fluxDeployKeyDays: 180, kubeconfigDays: 365, warningDays: 14 } as const;

/** The config properties every expiry policy takes. */
export const KEY_CONFIG_PROPERTIES: Record<string, object> = {
    sshDays: { type: "integer", minimum: 1, default: KEY_DEFAULTS.sshDays, description: "SSH key period when the stack does not output its due date" },
    ageDays: { type: "integer", minimum: 1, default: KEY_DEFAULTS.ageDays, description: "age key period when the stack does not output its due date" },
    fluxDeployKeyDays: { type: "integer", minimum: 1, default: KEY_DEFAULTS.fluxDeployKeyDays, description: "Flux deploy key period when the stack does not output its due date" },
    kubeconfigDays: { type: "integer", minimum: 1, default: KEY_DEFAULTS.kubeconfigDays, description: "Rotation period of the Kubernetes provider's ServiceAccount token, from its Secret's creation (advisory: the token does not expire)" },
    asOf: { type: "string", description: "Evaluate as of this ISO date-time instead of the deploy-time clock" },
};

const KEYS: Record<"ssh" | "age" | "flux-deploy-key", { label: string; field: string; output: string; days: "sshDays" | "ageDays" | "fluxDeployKeyDays" }> = {
    ssh: { label: "SSH key", field: "operations.keyRotation.sshGeneration", output: "sshKeyRotationDue", days: "sshDays" },
    age: { label: "age key", field: "operations.keyRotation.ageGeneration", output: "ageKeyRotationDue", days: "ageDays" },
    "flux-deploy-key": { label: "Flux deploy key", field: "operations.keyRotation.fluxDeployKeyGeneration", output: "fluxDeployKeyRotationDue", days: "fluxDeployKeyDays" },
};

const STAMP = /-(ssh|age|flux-deploy-key)-g(\d+)-created-at$/;

/**
 * Reads a value the policy server may hand over as unknown (during a preview, for what this update
 * makes): @pulumi/policy's proxy throws UnknownValueError on access; that value simply is not known.
 */
function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (error) {
        if (error instanceof Error && error.constructor?.name === "UnknownValueError") return undefined;
        throw error;
    }
}

function date(value: unknown): Date | undefined {
    if (typeof value !== "string" || value.trim() === "") return undefined;
    const time = Date.parse(value.trim());
    return Number.isNaN(time) ? undefined : new Date(time);
}

function number(config: CommonConfig, key: keyof typeof KEY_DEFAULTS): number {
    const value = config[key];
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : KEY_DEFAULTS[key];
}

/** The time the policy evaluates at: config `asOf`, else now. */
export function evaluationTime(config: CommonConfig): Date {
    return date(config.asOf) ?? new Date();
}

function parseKubeconfig(kubeconfig: string): any {
    try {
        return parse(kubeconfig);
    } catch {
        return undefined;
    }
}

/** The earliest expiry among base64 PEM certificates that can be read. */
function earliestExpiry(data: readonly unknown[]): Date | undefined {
    const expiries = data.flatMap((value) => {
        if (typeof value !== "string") return [];
        try {
            return [new Date(new X509Certificate(Buffer.from(value, "base64")).validTo)];
        } catch {
            return [];
        }
    }).filter((d) => !Number.isNaN(d.getTime()));
    return expiries.length ? new Date(Math.min(...expiries.map((d) => d.getTime()))) : undefined;
}

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

/** The admin client certificate's expiry in a kubeconfig, when it holds a readable one (kubeconfigs from before the token). */
export function kubeconfigCertificateExpiry(kubeconfig: string): Date | undefined {
    return earliestExpiry(list(parseKubeconfig(kubeconfig)?.users).map((user) => user?.user?.["client-certificate-data"]));
}

/** The cluster CA's expiry in a kubeconfig. */
export function kubeconfigCaExpiry(kubeconfig: string): Date | undefined {
    return earliestExpiry(list(parseKubeconfig(kubeconfig)?.clusters).map((cluster) => cluster?.cluster?.["certificate-authority-data"]));
}

/** The service-account token's generation and creation time, from the runner's `clusters.pulumi.io/token` extension. */
export function kubeconfigToken(kubeconfig: string): { generation: number; createdAt: Date } | undefined {
    for (const user of list(parseKubeconfig(kubeconfig)?.users)) {
        if (typeof user?.user?.token !== "string") continue;
        const stamp = list(user.user.extensions).find((e) => e?.name === "clusters.pulumi.io/token")?.extension;
        const createdAt = date(stamp?.createdAt);
        const generation = Number(stamp?.generation);
        if (createdAt && Number.isInteger(generation) && generation >= 0) return { generation, createdAt };
    }
    return undefined;
}

/** The stack file turns Kubespray's monthly certificate renewal off (the cluster command's state says so). */
export function certificateRenewalOff(resources: readonly PlainResource[]): boolean {
    return resources.some((resource) => {
        if (resource.type !== "command:local:Command" || !String(resource.props.create ?? "").endsWith(" cluster")) return false;
        try {
            return JSON.parse(known(() => resource.props.environment?.KUBESPRAY_DESIRED) ?? "").autoRenewCertificates === false;
        } catch {
            return false;
        }
    });
}

/** Every due date the stack's resources show. */
export function dueDates(resources: readonly PlainResource[], config: CommonConfig): Due[] {
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const out: Due[] = [];
    const newest = new Map<string, { generation: number; resource: PlainResource }>();
    for (const resource of resources) {
        const match = resource.type === "command:local:Command" ? STAMP.exec(resource.name) : null;
        if (!match) continue;
        const generation = Number(match[2]);
        if ((newest.get(match[1])?.generation ?? -1) < generation) newest.set(match[1], { generation, resource });
    }
    for (const [kind, { generation, resource }] of newest) {
        const key = KEYS[kind as keyof typeof KEYS];
        const fromStack = date(known(() => stack?.props[key.output]));
        const created = date(known(() => resource.props.stdout));
        const due = fromStack ?? (created ? new Date(created.getTime() + number(config, key.days) * 86_400_000) : undefined);
        if (!due) continue;
        out.push({ kind: kind as DueKind, subject: `${key.label} (generation ${generation})`, due, field: key.field, renew: `bump ${key.field} to ${generation + 1}`, overdueBlocks: true });
    }
    const field = "operations.keyRotation.kubeconfigGeneration";
    for (const resource of resources) {
        if (resource.type !== "command:local:Command" || !resource.name.endsWith("-kubeconfig")) continue;
        const kubeconfig = known(() => resource.props.stdout);
        if (typeof kubeconfig !== "string") continue;
        let generation = 0;
        try {
            generation = Number(JSON.parse(known(() => resource.props.environment?.KUBESPRAY_DESIRED) ?? "{}").generation) || 0;
        } catch {
            // no desired state: generation 0
        }
        const token = kubeconfigToken(kubeconfig);
        if (token) {
            out.push({
                kind: "kubeconfig-token", subject: `Kubernetes provider token (generation ${token.generation})`, field, overdueBlocks: false,
                due: new Date(token.createdAt.getTime() + number(config, "kubeconfigDays") * 86_400_000),
                renew: `bump ${field} to ${token.generation + 1}: a new ServiceAccount token Secret is made and the old one deleted`,
            });
        }
        const certificate = kubeconfigCertificateExpiry(kubeconfig);
        if (certificate) {
            out.push({
                kind: "cluster-certificates", subject: "the admin client certificate the program holds (kubeadm, one year)", due: certificate, field, overdueBlocks: true,
                renew: `bump ${field} to ${generation + 1}: the program then holds a ServiceAccount token that does not expire with the cluster certificates. `
                    + "Keep kubernetes.autoRenewCertificates: true so the nodes renew theirs monthly",
            });
        }
        const ca = kubeconfigCaExpiry(kubeconfig);
        if (ca) {
            out.push({
                kind: "cluster-ca", subject: "the cluster CA (kubeadm, ten years)", due: ca, field: "kubernetes", overdueBlocks: true,
                renew: "no stack-file change renews it (Kubespray does not rotate the CA): build a new cluster before then and move the workloads with Velero (README: When things break)",
            });
        }
    }
    return out;
}

export function daysBetween(from: Date, to: Date): number {
    return Math.floor((to.getTime() - from.getTime()) / 86_400_000);
}
