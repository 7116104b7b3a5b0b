/**
 * Stack policy, mandatory: the SSH key, the age key, the Flux deploy key or a certificate the pack can read
 * (an admin client certificate from before the provider's token, the cluster CA) is past due. The
 * deployment fails, naming the stack-file change that renews each; `key-rotation-due` warned before.
 * The Kubernetes provider's ServiceAccount token does not expire, so its rotation date never blocks
 * (`key-rotation-due` keeps warning). Read at deploy time from the resources' outputs (lib/key-dates.ts).
 * To let a deployment through past a key's date, the policy config sets this policy `advisory` (or a
 * longer `sshDays`/`ageDays`/`fluxDeployKeyDays` where the stack does not output its due dates).
 */
import { violation } from "../lib/define";
import { KEY_CONFIG_PROPERTIES, daysBetween, dueDates, evaluationTime } from "../lib/key-dates";
import type { StackRule } from "../lib/types";

const rule: StackRule = {
    target: "stack", name: "key-rotation-overdue", category: "stack", severity: "high",
    description: "Fails when the SSH key, the age key, the Flux deploy key or a cluster certificate the pack can read is past due, naming the stack-file change that renews each (the Kubernetes provider's token, which does not expire, only warns: key-rotation-due).",
    configProperties: KEY_CONFIG_PROPERTIES,
    check: (resources, config) => {
        const now = evaluationTime(config);
        return dueDates(resources, config)
            .filter((d) => d.overdueBlocks && d.due.getTime() <= now.getTime())
            .map((d) => violation(d.field, `${d.subject} was due ${d.due.toISOString()} (${daysBetween(d.due, now)} day(s) ago): ${d.renew}`));
    },
};
export default rule;
