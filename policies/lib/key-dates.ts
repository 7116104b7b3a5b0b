/**
 * When the cluster's keys and certificates are due, from what a stack policy sees at deploy time (the
 * resources' outputs in state). The program has no clock; the policy does: `now` is the deploy time.
 *
 * - SSH key, age key, Flux deploy key: each current generation has a stamp command
 *   `<cluster>-<key>-g<generation>-created-at` (components/keys: `date -u` run once when the key is made)
 *   whose stdout is the creation time. The due date is the stack's own output (`sshKeyRotationDue`,
 *   `ageKeyRotationDue`, `fluxDeployKeyRotationDue` on the `pulumi:pulumi:Stack` resource: the stack
 *   file's period), else creation + the period in the policy config (openCenter: SSH 180 d, age 90 d).
 * - Cluster certificates: the one certificate a policy can read is the admin client certificate in the
 *   kubeconfig the program fetched (the `<cluster>-kubeconfig` command's stdout). kubeadm issues it with
 *   the cluster's certificates (one year). Kubespray's `auto_renew_certificates`
 *   (`kubernetes.autoRenewCertificates`) renews those on the nodes monthly, but the copy the program's
 *   Kubernetes provider uses is only renewed when that command fetches the kubeconfig again.
 *
 * A value not known yet (a key made in this very update) is not due: it is being made now.
 */
import { X509Certificate } from "crypto";
import { parse } from "yaml";
import type { CommonConfig, PlainResource } from "./types";

export type DueKind = "ssh" | "age" | "flux-deploy-key" | "cluster-certificates";

export interface Due {
    readonly kind: DueKind;
    /** What it is, for a person: "SSH key (generation 2)". */
    readonly subject: string;
    readonly due: Date;
    /** The stack-file change that renews it. */
    readonly renew: string;
    /** The stack-file field that renew names, for the finding's field. */
    readonly field: string;
}

export const KEY_DEFAULTS = { sshDays: 180, ageDays: 90, fluxDeployKeyDays: 180, warningDays: 14 } as const;

/** The config properties every expiry policy takes. */
export const KEY_CONFIG_PROPERTIES: Record<string, object> = {
    sshDays: { type: "integer", minimum: 1, default: KEY_DEFAULTS.sshDays, description: "SSH key period when the stack does not output its due date" },
    ageDays: { type: "integer", minimum: 1, default: KEY_DEFAULTS.ageDays, description: "age key period when the stack does not output its due date" },
    fluxDeployKeyDays: { type: "integer", minimum: 1, default: KEY_DEFAULTS.fluxDeployKeyDays, description: "Flux deploy key period when the stack does not output its due date" },
    asOf: { type: "string", description: "Evaluate as of this ISO date-time instead of the deploy-time clock" },
};

const KEYS: Record<Exclude<DueKind, "cluster-certificates">, { label: string; field: string; output: string; days: "sshDays" | "ageDays" | "fluxDeployKeyDays" }> = {
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

/** The admin client certificate's expiry in a kubeconfig, when it holds a readable one. */
export function kubeconfigCertificateExpiry(kubeconfig: string): Date | undefined {
    let config: any;
    try {
        config = parse(kubeconfig);
    } catch {
        return undefined;
    }
    const expiries = (Array.isArray(config?.users) ? config.users : []).flatMap((user: any) => {
        const data = user?.user?.["client-certificate-data"];
        if (typeof data !== "string") return [];
        try {
            return [new Date(new X509Certificate(Buffer.from(data, "base64")).validTo)];
        } catch {
            return [];
        }
    }).filter((d: Date) => !Number.isNaN(d.getTime()));
    return expiries.length ? new Date(Math.min(...expiries.map((d: Date) => d.getTime()))) : undefined;
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
        out.push({ kind: kind as DueKind, subject: `${key.label} (generation ${generation})`, due, field: key.field, renew: `bump ${key.field} to ${generation + 1}` });
    }
    for (const resource of resources) {
        if (resource.type !== "command:local:Command" || !resource.name.endsWith("-kubeconfig")) continue;
        const kubeconfig = known(() => resource.props.stdout);
        const due = typeof kubeconfig === "string" ? kubeconfigCertificateExpiry(kubeconfig) : undefined;
        if (!due) continue;
        out.push({
            kind: "cluster-certificates", subject: "cluster certificates (the admin client certificate the program holds)", due, field: "kubernetes.version",
            renew: "upgrade Kubernetes (kubernetes.version): kubeadm re-issues every certificate and the program fetches the kubeconfig again; "
                + "rotating the SSH key (operations.keyRotation.sshGeneration) fetches it again too. Keep kubernetes.autoRenewCertificates: true so the nodes renew theirs monthly",
        });
    }
    return out;
}

export function daysBetween(from: Date, to: Date): number {
    return Math.floor((to.getTime() - from.getTime()) / 86_400_000);
}
