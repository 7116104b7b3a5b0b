import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { SERVICE_CATALOG, SHARED_STAGES } from "../../spec/catalog";
import { checkServices, formatServiceGate, type ServiceGateReport } from "../lib/services-gate";
import { RULES } from "../rules";
import { requireGitopsBase } from "./upstream";

function requireKubectl(context: Mocha.Context): void {
    if (spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status !== 0) {
        console.log("    (skipped: kubectl is not on PATH; the gate builds with `kubectl kustomize`)");
        context.skip();
    }
}

/** HelmReleases in the YAML files under a directory, as `namespace/name`. */
function helmReleasesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => /\.ya?ml$/.test(f) && !f.includes("helm-values"))
        .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8")).map((d) => d.toJS()))
        .filter((o) => o?.kind === "HelmRelease").map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
}

/** Every path Flux applies from gitops-base: each stage of each gitops-base service, and the shared stages. */
function gitopsBasePaths(): Record<string, { path: string }> {
    const stages = Object.values(SERVICE_CATALOG).flatMap((service) => (service.origin === "gitops-base" ? service.stages : []));
    return Object.fromEntries([...stages, ...Object.values(SHARED_STAGES)].map((stage) => [stage.name, { path: stage.path }]));
}

describe("the offline pod-security gate on the services' manifests", function () {
    describe("on a service base of its own", () => {
        let report: ServiceGateReport[];
        before(function () {
            requireKubectl(this);
            report = checkServices(path.join(__dirname, "fixtures", "gate"), { demo: { path: "demo" }, absent: { path: "not/there" } }, RULES);
        });

        it("builds each sub-directory with a kustomization and runs the pack's rules on every object built", () => {
            const demo = report.find((r) => r.service === "demo")!;
            assert.deepStrictEqual(demo.built, ["demo/app"]);
            assert.strictEqual(demo.objectsChecked, 2);
            assert.deepStrictEqual(demo.workloadsChecked, ["DaemonSet demo/node-agent"]);
            const found = demo.findings.map((f) => `${f.policy}/${f.rule} ${f.field}`);
            for (const expected of ["disallow-privileged-containers/privileged-containers spec.template.spec.containers[0].securityContext.privileged", "disallow-host-namespaces/host-namespaces spec.template.spec.hostPID"]) {
                assert.ok(found.includes(expected), `${expected} in ${found.join("; ")}`);
            }
            assert.ok(demo.findings.every((f) => f.namespace === "demo" && f.file === "demo/app"));
        });

        it("lists what it cannot check: the HelmRelease's chart, and a build that fails with kubectl's reason", () => {
            const demo = report.find((r) => r.service === "demo")!;
            assert.deepStrictEqual(demo.notChecked.map((n) => n.what), ["HelmRelease demo/demo (chart demo-chart 1.2.3)", "demo/broken"]);
            assert.match(demo.notChecked[0].why, /Helm renders its workloads in the cluster; in the cluster Pod Security admission enforces the namespace's level and Kyverno only audits/);
            assert.match(demo.notChecked[1].why, /kubectl kustomize failed: .*missing\.yaml/);
        });

        it("reports a path that is not in the tree instead of failing", () => {
            assert.deepStrictEqual(report.find((r) => r.service === "absent"), { service: "absent", path: "not/there", exists: false, built: [], objectsChecked: 0, workloadsChecked: [], findings: [], notChecked: [{ what: "not/there", why: "not in the gitops-base tree" }] });
            assert.match(formatServiceGate(report), /absent \(not\/there\): path not in the tree/);
        });
    });

    describe("on every gitops-base stage of the catalog at the pinned tag", () => {
        let root: string;
        let report: ServiceGateReport[];
        before(function () {
            this.timeout(180_000);
            requireKubectl(this);
            root = requireGitopsBase(this);
            report = checkServices(root, gitopsBasePaths(), RULES);
        });

        it("reports every stage of every gitops-base service", () => {
            assert.deepStrictEqual(report.map((r) => r.service), Object.keys(gitopsBasePaths()).sort());
        });

        it("builds what is in the tree, and names each remote resource it cannot fetch offline", () => {
            for (const r of report.filter((s) => s.exists)) {
                assert.ok(r.built.length > 0 || r.notChecked.some((n) => /remote resource/.test(n.why)), `${r.service}: built nothing and named no remote resource`);
                assert.ok(r.objectsChecked > 0 || r.built.length === 0, `${r.service}: built ${r.built.join(", ")} but checked no object`);
            }
        });

        it("lists every HelmRelease of a service as checked in the cluster (Pod Security admission enforces, Kyverno audits), with its chart", () => {
            for (const r of report.filter((s) => s.exists)) {
                const listed = r.notChecked.filter((n) => n.what.startsWith("HelmRelease ")).map((n) => n.what.split(" ")[1]);
                assert.deepStrictEqual(listed.sort(), helmReleasesUnder(path.join(root, r.path)).sort(), r.service);
            }
        });

        it("checks every workload that is a plain manifest in the tree, and says every finding's policy, rule and field", () => {
            for (const r of report) {
                for (const f of r.findings) assert.ok(f.policy && f.field && f.message && f.file, JSON.stringify(f));
                for (const w of r.workloadsChecked) assert.match(w, /^(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Job|CronJob) /);
            }
            assert.match(formatServiceGate(report), /^Pod security on what the services run/);
        });
    });
});
