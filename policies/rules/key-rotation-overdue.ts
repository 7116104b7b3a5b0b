/**
 * Stack policy, mandatory: the SSH key, the age key, the Flux deploy key, the Kubernetes provider's token or
 * a certificate the pack can read is past due. The deployment fails, naming the stack-file change that
 * renews each; `key-rotation-due` warned before. Read at deploy time from the resources' outputs
 * (lib/key-dates.ts).
 */
import { violation } from "../lib/define";
import { KEY_CONFIG_PROPERTIES, daysBetween, dueDates, evaluationTime } from "../lib/key-dates";
import type { StackRule } from "../lib/types";

const rule: StackRule = {
    target: "stack", name: "key-rotation-overdue", category: "stack", severity: "high",
    description: "Fails when the SSH key, the age key, the Flux deploy key, the Kubernetes provider's token or the cluster certificates are past due, naming the stack-file change that renews each.",
    configProperties: KEY_CONFIG_PROPERTIES,
    check: (resources, config) => {
        const now = evaluationTime(config);
        return dueDates(resources, config)
            .filter((d) => d.due.getTime() <= now.getTime())
            .map((d) => violation(d.field, `${d.subject} was due ${d.due.toISOString()} (${daysBetween(d.due, now)} day(s) ago): ${d.renew}`));
    },
};
export default rule;
