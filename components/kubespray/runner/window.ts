/** Maintenance windows: is a moment inside one? Windows are in UTC and may run past midnight. */
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export interface Window {
    readonly days: readonly string[];
    readonly start: string;
    readonly durationMinutes: number;
}

export function insideWindow(windows: readonly Window[], now: Date): boolean {
    if (windows.length === 0) {
        return true;
    }
    const minuteOfWeek = now.getUTCDay() * 1440 + now.getUTCHours() * 60 + now.getUTCMinutes();
    return windows.some((window) => window.days.some((day) => {
        const [hours, minutes] = window.start.split(":").map(Number);
        const start = DAYS.indexOf(day as (typeof DAYS)[number]) * 1440 + hours * 60 + minutes;
        const offset = (minuteOfWeek - start + 7 * 1440) % (7 * 1440);
        return offset < window.durationMinutes;
    }));
}

export function describeWindows(windows: readonly Window[]): string {
    return windows.map((w) => `${w.days.join(",")} ${w.start} UTC for ${w.durationMinutes} min`).join("; ");
}
