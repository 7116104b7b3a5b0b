/**
 * Stack policy, advisory: the SSH key, the age key, the Flux deploy key or the cluster certificates fall
 * due within `warningDays` (default 14, as openCenter's `secrets keys check --warn-days 14`). Each
 * warning names the stack-file change that renews it. Read at deploy time from the resources' outputs
 * (lib/key-dates.ts); the offline plan, which has no outputs and no clock, reports nothing.
 */
import { violation } from "../lib/define";
import { KEY_CONFIG_PROPERTIES, KEY_DEFAULTS, daysBetween, dueDates, evaluationTime } from "../lib/key-dates";
import type { StackRule } from "../lib/types";

const rule: StackRule = {
    target: "stack", name: "key-rotation-due", category: "stack", severity: "medium", enforcement: "advisory",
    description: `Warns when the SSH key, the age key, the Flux deploy key or the cluster certificates fall due within warningDays (default ${KEY_DEFAULTS.warningDays}), naming the stack-file change that renews each.`,
    configProperties: { ...KEY_CONFIG_PROPERTIES, warningDays: { type: "integer", minimum: 0, default: KEY_DEFAULTS.warningDays, description: "Warn this many days before a due date" } },
    check: (resources, config) => {
        const now = evaluationTime(config);
        const warningDays = typeof config.warningDays === "number" && config.warningDays >= 0 ? config.warningDays : KEY_DEFAULTS.warningDays;
        return dueDates(resources, config)
            .filter((d) => d.due.getTime() > now.getTime() && daysBetween(now, d.due) < warningDays)
            .map((d) => violation(d.field, `${d.subject} is due ${d.due.toISOString()} (in ${daysBetween(now, d.due)} day(s)): ${d.renew}`));
    },
};
export default rule;
