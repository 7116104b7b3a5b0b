/**
 * Stack policy, advisory: the SSH key, the age key, the Flux deploy key, the Kubernetes provider's token or
 * a certificate the pack can read falls due within `warningDays` (default 14, as openCenter's
 * `secrets keys check --warn-days 14`; the cluster CA 180 days ahead at least, since only a new cluster
 * replaces it), and the stack turns Kubespray's monthly certificate renewal off; and, past its rotation
 * date, the Kubernetes provider's token, which does not expire and so never blocks (`key-rotation-overdue`
 * blocks the others). Each warning names the stack-file change that renews it. Read at deploy time from the resources' outputs (lib/key-dates.ts);
 * the offline plan, which has no outputs and no clock, reports nothing.
 */
import { violation } from "../lib/define";
import { KEY_CONFIG_PROPERTIES, KEY_DEFAULTS, certificateRenewalOff, daysBetween, dueDates, evaluationTime } from "../lib/key-dates";
import type { StackRule } from "../lib/types";

/** Days ahead the cluster CA is reported at least: replacing it means building a new cluster. */
export const CA_WARNING_DAYS = 180;

const rule: StackRule = {
    target: "stack", name: "key-rotation-due", category: "stack", severity: "medium", enforcement: "advisory",
    description: `Warns when the SSH key, the age key, the Flux deploy key, the Kubernetes provider's token or the cluster certificates fall due within warningDays (default ${KEY_DEFAULTS.warningDays}), when the provider's token (which does not expire) is past its rotation date, or when the nodes' certificates are not renewed, naming the stack-file change that renews each.`,
    configProperties: { ...KEY_CONFIG_PROPERTIES, warningDays: { type: "integer", minimum: 0, default: KEY_DEFAULTS.warningDays, description: "Warn this many days before a due date" } },
    check: (resources, config) => {
        const now = evaluationTime(config);
        const warningDays = typeof config.warningDays === "number" && config.warningDays >= 0 ? config.warningDays : KEY_DEFAULTS.warningDays;
        const dates = dueDates(resources, config);
        const findings = dates
            .filter((d) => d.due.getTime() > now.getTime() && daysBetween(now, d.due) < (d.kind === "cluster-ca" ? Math.max(warningDays, CA_WARNING_DAYS) : warningDays))
            .map((d) => violation(d.field, `${d.subject} is due ${d.due.toISOString()} (in ${daysBetween(now, d.due)} day(s)): ${d.renew}`));
        findings.push(...dates
            .filter((d) => !d.overdueBlocks && d.due.getTime() <= now.getTime())
            .map((d) => violation(d.field, `${d.subject} is past its rotation date ${d.due.toISOString()} (${daysBetween(d.due, now)} day(s) ago). It does not expire, so nothing is blocked; to rotate it: ${d.renew}`)));
        if (certificateRenewalOff(resources)) {
            findings.push(violation("kubernetes.autoRenewCertificates", "is false: the nodes' kubeadm certificates (API server, kubelet client, etcd clients) expire one year after the install or the last Kubernetes upgrade, and the pack cannot read their dates. Set kubernetes.autoRenewCertificates: true (Kubespray's auto_renew_certificates renews them monthly), or upgrade Kubernetes (kubernetes.version) within the year"));
        }
        return findings;
    },
};
export default rule;
