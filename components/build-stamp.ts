/**
 * `pulumi up` runs the compiled program in dist/ (Pulumi.yaml `main`), and the Kubespray commands run
 * the compiled runner. Compiled code older than the sources would silently run yesterday's logic
 * against a production cluster, so `npm run build` records a digest of the sources it compiled and
 * the program refuses to start when the sources have changed since.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The folders and files `tsconfig.build.json` compiles (tests and benchmarks are not shipped). */
export const BUILD_SOURCES = ["index.ts", "spec", "components", "cli", "offline", "policies/lib", "policies/rules"] as const;
export const STAMP_FILE = path.join("dist", "build-stamp.json");

function typescriptFiles(root: string, entry: string): string[] {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) {
        return [];
    }
    if (fs.statSync(full).isFile()) {
        return entry.endsWith(".ts") ? [entry] : [];
    }
    return fs.readdirSync(full).sort().flatMap((name) => typescriptFiles(root, path.join(entry, name)));
}

/** sha256 over every compiled source file's path and content, in a fixed order. */
export function sourceDigest(root: string): string {
    const hash = createHash("sha256");
    for (const file of BUILD_SOURCES.flatMap((entry) => typescriptFiles(root, entry))) {
        hash.update(`${file.split(path.sep).join("/")}\n`).update(fs.readFileSync(path.join(root, file))).update("\n");
    }
    return hash.digest("hex");
}

export function writeStamp(root: string): void {
    fs.writeFileSync(path.join(root, STAMP_FILE), `${JSON.stringify({ sources: sourceDigest(root) })}\n`);
}

/** Why the compiled program must not run, or undefined when it matches the sources. */
export function staleBuildReason(root: string): string | undefined {
    const file = path.join(root, STAMP_FILE);
    if (!fs.existsSync(file)) {
        return `${STAMP_FILE} is missing: run \`npm run build\` before pulumi preview/up`;
    }
    const recorded = (JSON.parse(fs.readFileSync(file, "utf8")) as { sources?: string }).sources;
    if (recorded !== sourceDigest(root)) {
        return "the sources changed since dist/ was built: run `npm run build` before pulumi preview/up";
    }
    return undefined;
}

if (require.main === module) {
    // `npm run build` calls this after tsc.
    writeStamp(path.resolve(__dirname, "..", ".."));
}
