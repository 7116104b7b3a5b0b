/**
 * Running tools for the runner: every line of a tool's output goes to the run's log file; what reaches
 * the command's stderr stays small and bounded, and a failure prints the step's last lines.
 *
 * Why bounded: `@pulumi/command` 1.2.1 hands the previous stdout *and* stderr to the next run as the
 * PULUMI_COMMAND_STDOUT/STDERR environment variables (pulumi-command issues #285, #552), Linux refuses
 * one environment string of 128 KiB or more (E2BIG, MAX_ARG_STRLEN), and both are kept in the state in
 * clear. A `cluster.yml` run writes megabytes. So the runner writes at most STDERR_BUDGET bytes to stderr
 * in a whole run (progress lines, then the failure's tail), and the full log stays on this machine.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { setStep, stopSignal, trackGroup } from "./shutdown";

export class StepError extends Error {
    constructor(readonly step: string, message: string, readonly captured = "") {
        super(`step "${step}" failed: ${message}`);
    }
}

/** Bytes the runner writes to stderr in one run at most (far below 128 KiB). */
export const STDERR_BUDGET = 32 * 1024;
/** Of which the failure report may use this much. */
const FAILURE_RESERVE = 12 * 1024;
/** Lines of a failed step's output printed with the failure. */
export const FAILURE_TAIL_LINES = 40;
const MAX_LINE = 300;

/** stderr of this process, never more than STDERR_BUDGET bytes in total. */
class BoundedStderr {
    private written = 0;
    private silenced = false;
    logFile?: string;

    /** Progress: dropped (with one notice) once the progress part of the budget is used up. */
    progress(line: string): void {
        if (this.silenced) return;
        const text = `${clip(line)}\n`;
        if (this.written + Buffer.byteLength(text) > STDERR_BUDGET - FAILURE_RESERVE) {
            this.silenced = true;
            this.raw(`[kubespray] further progress is only in the log${this.logFile ? ` ${this.logFile}` : ""}\n`);
            return;
        }
        this.raw(text);
    }

    /** The failure report: always fits (clipped to what is left of the budget). */
    failure(lines: readonly string[]): void {
        const room = STDERR_BUDGET - this.written;
        let text = lines.flatMap((l) => l.split("\n")).map((l) => `${clip(l, 1000)}\n`).join("");
        while (Buffer.byteLength(text) > room && text.length > 0) {
            text = text.slice(text.indexOf("\n") + 1);
        }
        this.raw(text);
    }

    private raw(text: string): void {
        this.written += Buffer.byteLength(text);
        process.stderr.write(text);
    }
}

function clip(line: string, max = MAX_LINE): string {
    return line.length > max ? `${line.slice(0, max)}…` : line;
}

export const stderr = new BoundedStderr();

/** The run's log file: every tool's full output, one file per runner process. */
export class RunLog {
    private fd?: number;
    constructor(readonly file: string) {}

    open(): void {
        fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
        this.fd = fs.openSync(this.file, "a", 0o600);
        stderr.logFile = this.file;
    }

    write(text: string): void {
        if (this.fd !== undefined) fs.writeSync(this.fd, text);
    }

    close(): void {
        if (this.fd !== undefined) fs.closeSync(this.fd);
        this.fd = undefined;
    }
}

let currentLog: RunLog | undefined;

/** Where tool output goes from now on (undefined: nowhere but the failure tail). */
export function useLog(log: RunLog | undefined): void {
    currentLog = log;
}

/** Keeps the newest `keep` log files of a directory. */
export function pruneLogs(dir: string, keep = 100): void {
    if (!fs.existsSync(dir)) return;
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort();
    for (const file of files.slice(0, Math.max(0, files.length - keep))) {
        fs.rmSync(path.join(dir, file), { force: true });
    }
}

/** Which of the named tools are missing from PATH (looked up directly, no shell involved). */
export function missingTools(tools: readonly string[], searchPath = process.env.PATH ?? ""): string[] {
    const dirs = searchPath.split(path.delimiter).filter(Boolean);
    const found = (tool: string) => dirs.some((dir) => {
        try {
            fs.accessSync(path.join(dir, tool), fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    });
    return tools.filter((tool) => !found(tool));
}

/** Lines worth showing while a playbook runs: play headers and the recap. */
const PROGRESS = /^(PLAY \[|PLAY RECAP|fatal:|ERROR!|FAILED - RETRYING|\S+\s+: ok=)/;

export interface RunOptions {
    readonly env?: NodeJS.ProcessEnv;
    readonly cwd?: string;
    /** Return stdout instead of logging it (ad-hoc JSON results). It still goes to the log. */
    readonly capture?: boolean;
    /** Never write this tool's output anywhere but the failure tail (it may hold secrets). */
    readonly quiet?: boolean;
}

/**
 * Runs a program with arguments (never through a shell). Its output goes to the run's log with the
 * step's name in front of every line; play headers and the recap also go to stderr (bounded); on
 * failure the last lines follow. Resolves with stdout when asked to capture it.
 *
 * The program leads a process group of its own (detached), recorded while it runs, so that the runner
 * can stop it with everything it forked when Pulumi cancels (shutdown.ts). Nothing starts once the
 * runner is stopping.
 */
export function run(step: string, command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
    return new Promise((resolve, reject) => {
        const stopping = stopSignal();
        if (stopping) {
            reject(new StepError(step, `not started: the runner is stopping on ${stopping}`));
            return;
        }
        setStep(step);
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        const forget = child.pid !== undefined ? trackGroup(child.pid, step) : () => undefined;
        const captured: Buffer[] = [];
        const tail: string[] = [];
        const remember = (line: string) => {
            tail.push(line);
            if (tail.length > FAILURE_TAIL_LINES) tail.shift();
        };
        const lines = (stream: NodeJS.ReadableStream, keep: boolean) => {
            let partial = "";
            const emit = (line: string) => {
                if (!options.quiet) currentLog?.write(`[${step}] ${line}\n`);
                if (!keep) {
                    remember(line);
                    if (!options.quiet && PROGRESS.test(line)) stderr.progress(`[kubespray: ${step}] ${line}`);
                }
            };
            stream.on("data", (chunk: Buffer) => {
                if (keep) captured.push(chunk);
                const text = partial + chunk.toString("utf8");
                const parts = text.split("\n");
                partial = parts.pop() ?? "";
                parts.forEach(emit);
            });
            stream.on("end", () => {
                if (partial) emit(partial);
            });
        };
        lines(child.stdout, options.capture === true);
        lines(child.stderr, false);
        child.on("error", (error) => {
            forget();
            reject(new StepError(step, `${command} could not start: ${error.message}`));
        });
        child.on("close", (code, signal) => {
            forget();
            const out = Buffer.concat(captured).toString("utf8");
            if (code === 0) {
                resolve(out);
                return;
            }
            reject(Object.assign(new StepError(step, `${path.basename(command)} exited with ${code ?? signal}`, out), { tail: [...tail] }));
        });
    });
}

/** The last lines a failed step printed (kept by `run`). */
export function failureTail(error: unknown): readonly string[] {
    return (error as { tail?: readonly string[] }).tail ?? [];
}
