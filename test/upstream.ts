/**
 * Finding the real upstream trees the tests run against (never a copy inside this project):
 *
 * 1. an environment variable pointing at a checkout of the pinned release
 *    (CLUSTERS_KUBESPRAY_SOURCE, CLUSTERS_GITOPS_BASE_SOURCE);
 * 2. `../shared/upstream/<name>` beside the project (kubespray-v<version>, opencenter-gitops-base-<version>);
 * 3. a shallow clone of the pinned tag into a cache directory (CLUSTERS_UPSTREAM_CACHE, default
 *    ~/.cache/clusters-upstream), made once;
 * 4. otherwise undefined with the reason, for a visible `this.skip()`.
 *
 * Shared by every test that needs an upstream tree: `requireUpstream(this, "kubespray", "2.31.0")`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export type UpstreamKind = "kubespray" | "gitops-base";

interface Upstream {
    readonly variable: string;
    readonly folder: (version: string) => string;
    readonly repository: string;
    readonly tag: (version: string) => string;
    /** A file every checkout of the project has, to tell a real tree from an empty directory. */
    readonly marker: string;
}

const UPSTREAMS: Record<UpstreamKind, Upstream> = {
    "kubespray": {
        variable: "CLUSTERS_KUBESPRAY_SOURCE",
        folder: (version) => `kubespray-v${version}`,
        repository: "https://github.com/kubernetes-sigs/kubespray.git",
        tag: (version) => `v${version}`,
        marker: "cluster.yml",
    },
    "gitops-base": {
        variable: "CLUSTERS_GITOPS_BASE_SOURCE",
        folder: (version) => `opencenter-gitops-base-${version}`,
        repository: "https://github.com/opencenter-cloud/openCenter-gitops-base.git",
        tag: (version) => version,
        marker: "README.md",
    },
};

const PROJECT_ROOT = path.join(__dirname, "..");

export interface Located {
    readonly dir?: string;
    /** Where it was found, or why it was not. */
    readonly reason: string;
}

const cache = new Map<string, Located>();

/** The upstream tree of a pinned release, or why there is none. */
export function locateUpstream(kind: UpstreamKind, version: string): Located {
    const key = `${kind}@${version}`;
    const known = cache.get(key);
    if (known) return known;
    const found = find(UPSTREAMS[kind], version);
    cache.set(key, found);
    return found;
}

/** The directory of an upstream tree, or undefined (see locateUpstream for why). */
export function upstreamTree(kind: UpstreamKind, version: string): string | undefined {
    return locateUpstream(kind, version).dir;
}

/** The tree, or a visible skip of the running test with the reason. */
export function requireUpstream(context: Mocha.Context, kind: UpstreamKind, version: string): string {
    const located = locateUpstream(kind, version);
    if (!located.dir) {
        process.stderr.write(`\n  skipped "${context.test?.title ?? kind}": ${located.reason}\n`);
        context.skip();
    }
    return located.dir!;
}

function find(upstream: Upstream, version: string): Located {
    const tried: string[] = [];
    const fromEnv = process.env[upstream.variable];
    if (fromEnv) {
        if (fs.existsSync(path.join(fromEnv, upstream.marker))) return { dir: path.resolve(fromEnv), reason: `${upstream.variable}` };
        tried.push(`${upstream.variable}=${fromEnv} has no ${upstream.marker}`);
    }
    const shared = path.resolve(PROJECT_ROOT, "..", "shared", "upstream", upstream.folder(version));
    if (fs.existsSync(path.join(shared, upstream.marker))) return { dir: shared, reason: shared };
    tried.push(`${shared} is missing`);
    const cacheRoot = process.env.CLUSTERS_UPSTREAM_CACHE ?? path.join(os.homedir(), ".cache", "clusters-upstream");
    const cached = path.join(cacheRoot, upstream.folder(version));
    if (fs.existsSync(path.join(cached, upstream.marker))) return { dir: cached, reason: cached };
    if (process.env.CLUSTERS_UPSTREAM_NO_CLONE !== "1") {
        fs.mkdirSync(cacheRoot, { recursive: true });
        const staging = `${cached}.clone-${process.pid}`;
        const clone = spawnSync("git", ["clone", "--quiet", "--depth", "1", "--branch", upstream.tag(version), "--", upstream.repository, staging], {
            encoding: "utf8", timeout: 120_000, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
        });
        if (clone.status === 0 && fs.existsSync(path.join(staging, upstream.marker))) {
            fs.renameSync(staging, cached);
            return { dir: cached, reason: `cloned ${upstream.tag(version)} into ${cached}` };
        }
        fs.rmSync(staging, { recursive: true, force: true });
        tried.push(`cloning ${upstream.repository} ${upstream.tag(version)} failed (${(clone.stderr || clone.error?.message || "").trim().split("\n")[0]})`);
    }
    return { reason: `no ${upstream.folder(version)} tree: ${tried.join("; ")}` };
}
