/**
 * The Node.js lines the project supports. `@pulumi/pulumi` 3.270 and later require Node 22, and Node 20
 * reached end of life in April 2026. package.json's `engines` says the same (a test keeps them equal).
 *
 * A machine whose own Node is older still works through npm: `npm ci` installs a Node 22 binary from the
 * registry (the optional `node-<platform>-<arch>` packages) into node_modules/.bin, which `npm run` and
 * `npm test` put first on PATH.
 */
import * as semver from "semver";

/** Lowest supported version; 22.12 is also mocha 12's floor on the 22 line. */
export const MINIMUM_NODE = "22.12.0";
export const SUPPORTED_LINES = "22 and 24 LTS";

/** Why this Node cannot run the project, or undefined when it can. */
export function unsupportedNodeReason(version: string = process.versions.node): string | undefined {
    if (semver.gte(version, MINIMUM_NODE)) {
        return undefined;
    }
    return [
        `Node ${version} is older than the supported minimum ${MINIMUM_NODE} (Node ${SUPPORTED_LINES}).`,
        "Run through npm (`npm ci`, then `npm run <script>` or `npm test`): npm ci installs Node 22 into node_modules/.bin and npm run uses it.",
        "Or install a supported Node yourself, e.g. `nvm install 22 && nvm use 22` (the project's .nvmrc says 22).",
    ].join(" ");
}

/** Stops the process with the reason when the running Node is too old. */
export function assertSupportedNode(): void {
    const reason = unsupportedNodeReason();
    if (reason) {
        process.stderr.write(`${reason}\n`);
        process.exit(1);
    }
}
