/**
 * The pinned openCenter gitops-base tree the tests read: `CLUSTERS_GITOPS_BASE_SOURCE` (a checkout of the
 * pinned tag), else `../shared/upstream/opencenter-gitops-base-2026.01` beside the repository. Never a
 * copy inside the project. A test that finds neither skips, saying so.
 */
import * as fs from "fs";
import * as path from "path";

export const GITOPS_BASE_TAG = "2026.01";

export function gitopsBaseSource(): string | undefined {
    const candidates = [
        process.env.CLUSTERS_GITOPS_BASE_SOURCE,
        path.resolve(__dirname, "..", "..", "..", "shared", "upstream", `opencenter-gitops-base-${GITOPS_BASE_TAG}`),
    ].filter((candidate): candidate is string => Boolean(candidate));
    return candidates.find((candidate) => fs.existsSync(path.join(candidate, "applications", "base", "services")));
}

/** For `before()`: the tree, or a visible skip naming where it looked. */
export function requireGitopsBase(context: Mocha.Context): string {
    const source = gitopsBaseSource();
    if (!source) {
        console.log(`    (skipped: no gitops-base ${GITOPS_BASE_TAG} checkout; set CLUSTERS_GITOPS_BASE_SOURCE or provide ../shared/upstream/opencenter-gitops-base-${GITOPS_BASE_TAG})`);
        context.skip();
    }
    return source!;
}
