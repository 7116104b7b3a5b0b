/**
 * Terminal output: colours only where a person reads a terminal, progress on stderr, and text from
 * outside the program (URNs, property paths, messages) made inert before it reaches a terminal.
 */
import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

/**
 * Colour only on a TTY that supports it. `hasColors()` applies NO_COLOR (https://no-color.org),
 * NODE_DISABLE_COLORS, FORCE_COLOR and TERM=dumb (node:tty `getColorDepth`).
 */
export function colourOn(stream: NodeJS.WriteStream): boolean {
    return Boolean(stream.isTTY) && typeof stream.hasColors === "function" && stream.hasColors();
}

export function paint(stream: NodeJS.WriteStream, style: Style, text: string): string {
    return colourOn(stream) ? styleText(style, text, { validateStream: false }) : text;
}

/**
 * Characters a terminal acts on or a reader cannot see, shown as visible escapes (`\u001b`, `\u202e`,
 * `\u{e0001}`), so hostile text cannot move the cursor, rewrite earlier lines or reorder what a person
 * reads: Unicode's control (Cc: C0 and C1, e.g. ESC and U+009B, the 8-bit CSI) and format (Cf:
 * bidirectional overrides and isolates, zero-width characters) categories, line and paragraph separators,
 * and lone surrogates. The spec refuses the same characters in free text (spec/text.ts); this guards
 * text from elsewhere (URNs, engine and cloud messages).
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

export function escapeTerminal(text: string): string {
    return text.replace(UNSAFE, (c) => {
        const code = c.codePointAt(0)!;
        return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
    });
}

/**
 * Text for Markdown, inline or in a table cell: inert characters escaped (escapeTerminal), and every
 * character Markdown or HTML acts on backslash-escaped (CommonMark: any ASCII punctuation may be), so
 * `<img onerror=…>` stays text, `[x](javascript:…)` is no link, `|` never splits a table row and `&`
 * starts no entity.
 */
export function escapeMarkdownText(text: string): string {
    return escapeTerminal(text).replace(/[\\`*_{}[\]<>()#+!|~&]/g, (c) => `\\${c}`);
}

/** Text for a Markdown table cell (escapeMarkdownText). */
export function escapeMarkdownCell(text: string): string {
    return escapeMarkdownText(text);
}

/** A Markdown code span that holds any text: a delimiter longer than any backtick run inside, `|` escaped for tables. */
export function markdownCode(text: string): string {
    const safe = escapeTerminal(text).replace(/\|/g, "\\|");
    let longest = 0;
    for (const run of safe.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
    const fence = "`".repeat(longest + 1);
    const pad = safe.startsWith("`") || safe.endsWith("`") ? " " : "";
    return `${fence}${pad}${safe}${pad}${fence}`;
}

export interface ProgressOptions {
    readonly stream?: NodeJS.WriteStream;
    /** Quiet for the first `delayMs` (short commands print nothing). @default 2000 */
    readonly delayMs?: number;
    /** On a TTY the line is redrawn this often; elsewhere one line is written this often. @default 1000 on a TTY, 10000 otherwise */
    readonly intervalMs?: number;
    readonly now?: () => number;
}

/**
 * Progress of a long step on stderr (stdout stays the result): on a terminal one line redrawn in place;
 * in a log (CI) a line every ten seconds. Nothing at all for steps shorter than the delay.
 */
export class Progress {
    private readonly stream: NodeJS.WriteStream;
    private readonly started: number;
    private readonly delayMs: number;
    private readonly intervalMs: number;
    private readonly now: () => number;
    private readonly tty: boolean;
    private lastShown = 0;
    private drawn = false;
    private text = "";
    private timer?: NodeJS.Timeout;

    constructor(private readonly label: string, options: ProgressOptions = {}) {
        this.stream = options.stream ?? process.stderr;
        this.now = options.now ?? Date.now;
        this.started = this.now();
        this.tty = Boolean(this.stream.isTTY);
        this.delayMs = options.delayMs ?? 2000;
        this.intervalMs = options.intervalMs ?? (this.tty ? 1000 : 10000);
    }

    /** Redraws on a timer too, so a step that reports nothing for a while still shows it is alive. */
    start(): this {
        this.timer = setInterval(() => this.show(), Math.min(this.intervalMs, 1000));
        this.timer.unref();
        return this;
    }

    update(text: string): void {
        this.text = text;
        this.show();
    }

    /** Writes the progress line when it is due; returns whether it wrote. */
    show(): boolean {
        const now = this.now();
        if (now - this.started < this.delayMs || (this.lastShown && now - this.lastShown < this.intervalMs)) {
            return false;
        }
        this.lastShown = now;
        const line = `${this.label}: ${escapeTerminal(this.text)} (${Math.round((now - this.started) / 1000)} s)`;
        this.stream.write(this.tty ? `\r\u001b[2K${line}` : `${line}\n`);
        this.drawn = true;
        return true;
    }

    /** Clears a redrawn line (before another line is written to the same terminal). */
    clear(): void {
        if (this.tty && this.drawn) {
            this.stream.write("\r\u001b[2K");
            this.drawn = false;
        }
    }

    /** Stops the timer and clears a redrawn line. */
    done(): void {
        if (this.timer) clearInterval(this.timer);
        this.clear();
    }
}
