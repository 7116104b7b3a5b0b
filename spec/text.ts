/**
 * Free text from the stack file (`operations.pausedReason`, `kubespray.extraVars` values, Helm values)
 * is printed to terminals, written to plan.md and handed to Ansible and Kubernetes. Characters a person
 * cannot see, or that a terminal or a renderer acts on, are refused where the text enters the program:
 * Unicode's control (Cc: C0 and C1, e.g. ESC and U+009B, the 8-bit CSI) and format (Cf: bidirectional
 * overrides such as U+202E, zero-width characters) categories, line and paragraph separators (Zl, Zp)
 * and lone surrogates (Cs). Ordinary whitespace (tab, line feed, carriage return) is allowed only where
 * a value may span lines.
 */

/** Matches one refused character; the `u` flag makes `\p{…}` match Unicode general categories. */
const REFUSED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const REFUSED_EXCEPT_WHITESPACE = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

function codePoint(character: string): string {
    return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

function kind(character: string): string {
    if (/\p{Cc}/u.test(character)) {
        return /[\t\n\r\u000b\u000c\u0085]/.test(character) ? "a line break or tab" : "a control character";
    }
    if (/\p{Cf}/u.test(character)) return "an invisible format character (such as a bidirectional override)";
    if (/[\p{Zl}\p{Zp}]/u.test(character)) return "a line or paragraph separator";
    return "a lone surrogate";
}

/**
 * Why `text` is refused, naming the first offending character by its code point (never printing it),
 * or undefined. `multiline` allows tab, line feed and carriage return.
 */
export function unsafeTextProblem(text: string, options: { readonly multiline?: boolean } = {}): string | undefined {
    const match = (options.multiline ? REFUSED_EXCEPT_WHITESPACE : REFUSED).exec(text);
    if (!match) {
        return undefined;
    }
    const character = String.fromCodePoint(match[0].codePointAt(0)!);
    return `contains ${kind(character)} (${codePoint(character)} at position ${match.index + 1}); ${options.multiline ? "" : "write one line of "}visible text only`;
}
