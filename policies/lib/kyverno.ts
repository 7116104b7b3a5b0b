/**
 * How Kyverno compares a field with a validate pattern, so our rules give the verdict Kyverno gives
 * on the same object as written (what `kyverno apply` and `kyverno test` evaluate):
 *
 * - `=(field)`: checked only when the key is present; a present key with any value is checked.
 * - `X(field)`: the key must not be present, whatever its value.
 * - `"a | b"`: the value, as text, matches one of the alternatives; `*` and `?` are wildcards.
 * - `"!a"`: the value, as text, does not match `a`.
 * - `">0"`: the value is a number (or numeric text) above zero.
 * - `true` / `0` (a typed pattern): the value has that type and that value.
 *
 * Kyverno's engine: pkg/engine/pattern (string, bool and int patterns) and ext/wildcard; anchors:
 * pkg/engine/anchor. Autogen (which kinds a Pod rule also covers) is in pod.ts.
 */

/** Whether `object` has `key` itself (a YAML `key:` with no value counts: Kyverno sees the key). */
export function has(object: unknown, key: string): boolean {
    return typeof object === "object" && object !== null && !Array.isArray(object) && Object.prototype.hasOwnProperty.call(object, key);
}

/** Kyverno's wildcard match: `*` any run of characters (slashes too), `?` exactly one. */
export function wildcardMatch(pattern: string, text: string): boolean {
    let p = 0, t = 0, star = -1, mark = 0;
    while (t < text.length) {
        if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
            p++; t++;
        } else if (p < pattern.length && pattern[p] === "*") {
            star = p++; mark = t;
        } else if (star !== -1) {
            p = star + 1; t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.length && pattern[p] === "*") p++;
    return p === pattern.length;
}

/** A scalar as Kyverno's string patterns see it; maps, lists and null have no text (they never match). */
export function patternText(value: unknown): string | undefined {
    switch (typeof value) {
        case "string": return value;
        case "boolean": return String(value);
        case "number": return Number.isFinite(value) ? String(value) : undefined;
        default: return undefined;
    }
}

/** `"a | b | c"` against a value: true when its text matches one alternative. */
export function matchesOneOf(value: unknown, alternatives: readonly string[]): boolean {
    const text = patternText(value);
    return text !== undefined && alternatives.some((alternative) => wildcardMatch(alternative, text));
}

/** `">0"`: numbers and numeric text above zero. */
export function isAboveZero(value: unknown): boolean {
    const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    return Number.isFinite(number) && number > 0;
}

/** An integer pattern such as `0`: numbers and integer text equal to it. */
export function equalsInteger(value: unknown, expected: number): boolean {
    if (typeof value === "number") return value === expected;
    return typeof value === "string" && /^-?\d+$/.test(value.trim()) && Number(value) === expected;
}

/** `"?*"`: a value with at least one character (numbers count by their text). */
export function isNonEmpty(value: unknown): boolean {
    const text = patternText(value);
    return text !== undefined && text.length > 0;
}
