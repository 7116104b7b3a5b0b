/** Running tools for the runner: streamed, prefixed logs; loud failures naming the step. */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export class StepError extends Error {
    constructor(readonly step: string, message: string, readonly captured = "") {
        super(`step "${step}" failed: ${message}`);
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

/**
 * Runs a program with arguments (never through a shell), streaming its output to stderr with the
 * step's name in front of every line. Resolves with stdout when asked to capture it.
 */
export function run(step: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; capture?: boolean } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        let captured = "";
        const prefix = (stream: NodeJS.ReadableStream, keep: boolean) => {
            let partial = "";
            stream.on("data", (chunk: Buffer) => {
                const text = partial + chunk.toString("utf8");
                const lines = text.split("\n");
                partial = lines.pop() ?? "";
                for (const line of lines) {
                    if (keep) captured += `${line}\n`;
                    else process.stderr.write(`[kubespray: ${step}] ${line}\n`);
                }
            });
            stream.on("end", () => {
                if (partial) {
                    if (keep) captured += partial;
                    else process.stderr.write(`[kubespray: ${step}] ${partial}\n`);
                }
            });
        };
        prefix(child.stdout, options.capture === true);
        prefix(child.stderr, false);
        child.on("error", (error) => reject(new StepError(step, `${command} could not start: ${error.message}`)));
        child.on("close", (code) => (code === 0 ? resolve(captured) : reject(new StepError(step, `${command} exited with ${code}`, captured))));
    });
}

/** Writes the SSH private key to a private temporary file; the caller removes it. Never logged. */
export function writePrivateKey(key: string): { file: string; cleanup: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubespray-key-"));
    const file = path.join(dir, "id");
    fs.writeFileSync(file, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
    return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
