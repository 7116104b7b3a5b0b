/**
 * Finds a checkout of openCenter-gitops-base at the release the catalog pins, for tests that read the
 * real tree: `CLUSTERS_GITOPS_BASE_SOURCE`, else `../shared/upstream/opencenter-gitops-base-<release>`,
 * else a shallow clone of the tag into a cache directory; undefined (the caller skips visibly) when none
 * can be had. Never a copy inside the project.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GITOPS_BASE_CHECKED_RELEASE } from "../spec/catalog";

export const GITOPS_BASE_URL = "https://github.com/opencenter-cloud/openCenter-gitops-base.git";

export interface Located {
    readonly root?: string;
    /** Why nothing was found, for `this.skip()`'s message. */
    readonly reason: string;
}

let cached: Located | undefined;

export function locateGitopsBase(release = GITOPS_BASE_CHECKED_RELEASE): Located {
    if (cached) {
        return cached;
    }
    const isTree = (dir: string) => fs.existsSync(path.join(dir, "applications", "base", "services"));
    const fromEnv = process.env.CLUSTERS_GITOPS_BASE_SOURCE;
    if (fromEnv) {
        cached = isTree(fromEnv) ? { root: fromEnv, reason: "" } : { reason: `CLUSTERS_GITOPS_BASE_SOURCE=${fromEnv} is not a gitops-base checkout` };
        return cached;
    }
    const shared = path.resolve(__dirname, "..", "..", "shared", "upstream", `opencenter-gitops-base-${release}`);
    if (isTree(shared)) {
        cached = { root: shared, reason: "" };
        return cached;
    }
    const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "clusters", `opencenter-gitops-base-${release}`);
    if (isTree(cache)) {
        cached = { root: cache, reason: "" };
        return cached;
    }
    try {
        fs.mkdirSync(path.dirname(cache), { recursive: true });
        execFileSync("git", ["clone", "--quiet", "--depth", "1", "--branch", release, GITOPS_BASE_URL, cache], { stdio: "pipe", timeout: 60_000 });
        cached = isTree(cache) ? { root: cache, reason: "" } : { reason: `cloning ${GITOPS_BASE_URL}@${release} gave no applications/ tree` };
    } catch (error) {
        cached = { reason: `no gitops-base ${release}: set CLUSTERS_GITOPS_BASE_SOURCE, provide ${shared}, or allow a clone of ${GITOPS_BASE_URL} (${(error as Error).message.split("\n")[0]})` };
    }
    return cached;
}
