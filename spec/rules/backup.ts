/** Velero schedules. */
import type { RuleContext } from "./context";

/**
 * Each schedule becomes a Velero Schedule named `<cluster>-<name>` (components/backup): two schedules
 * with one name would register the same resource twice, which the engine refuses.
 */
export function scheduleNamesAreUnique(ctx: RuleContext): void {
    const seen = new Map<string, number>();
    ctx.config.backup.schedules.forEach((schedule, i) => {
        const first = seen.get(schedule.name);
        if (first !== undefined) {
            ctx.error(`backup.schedules[${i}].name`, `"${schedule.name}" is already the name of backup.schedules[${first}]; schedule names must be unique (each becomes the Velero Schedule <cluster>-${schedule.name})`);
        } else {
            seen.set(schedule.name, i);
        }
    });
}
