/**
 * The service catalog against the real openCenter-gitops-base tree at the release it pins (located by
 * test/gitops-base.ts; skipped visibly when no checkout can be had): every path exists and
 * `kubectl kustomize` builds it, every health check names an object the path really contains, every
 * values Secret the program makes is read by a `valuesFrom` of the real HelmRelease, staged services
 * are applied in an order where each custom resource's CRD and each HelmRelease's source come first,
 * and the example stacks use only that.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, parse } from "yaml";
import { listStacks, loadOfflineStack } from "../../cli/stacks";
import { GITOPS_BASE_CHECKED_RELEASE, KEYCLOAK_INSTALL_PLAN_APPROVAL, manualServiceSteps, REMOTE_NAMESPACES, SERVICE_CATALOG, SHARED_STAGES, UPSTREAM_NAMESPACE_ENFORCE, readyStage, type GitopsBaseService, type ServiceStage } from "../../spec/catalog";
import { SERVICE_DEFAULT_STORAGE_CLASSES } from "../../spec/cloud";
import { gitopsSchema } from "../../spec/schema";
import { locateGitopsBase } from "../gitops-base";
import { ofType } from "../helpers";
import { cachedRunStack as runStack } from "../runs";

interface Manifest { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: any }

const baseServices = Object.entries(SERVICE_CATALOG).filter((entry): entry is [string, GitopsBaseService] => entry[1].origin === "gitops-base");
const allStages: { service: string; stage: ServiceStage }[] = [
    ...Object.values(SHARED_STAGES).map((stage) => ({ service: "(shared)", stage })),
    ...baseServices.flatMap(([service, entry]) => entry.stages.map((stage) => ({ service, stage }))),
];

/** Remote bases (github.com/…, https://…) cannot be built offline; they are checked for a pinned ref instead. */
function remoteResources(dir: string): string[] {
    const file = path.join(dir, "kustomization.yaml");
    const resources = ((parse(fs.readFileSync(file, "utf8")) as { resources?: string[] }).resources ?? []);
    return resources.filter((r) => /^(https?:\/\/|github\.com\/)/.test(r));
}

const builds = new Map<string, Manifest[]>();
function build(root: string, stagePath: string): Manifest[] {
    if (!builds.has(stagePath)) {
        const output = execFileSync("kubectl", ["kustomize", path.join(root, stagePath)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        builds.set(stagePath, parseAllDocuments(output).map((d) => d.toJSON() as Manifest).filter(Boolean));
    }
    return builds.get(stagePath)!;
}

/** Kustomizations a stage depends on, transitively, as the program wires them. */
function upstreamStages(service: string, stageName: string): Set<string> {
    const edges = new Map<string, string[]>();
    for (const shared of Object.values(SHARED_STAGES)) edges.set(shared.name, [...shared.after]);
    for (const [, entry] of baseServices) {
        entry.stages.forEach((stage, index) => {
            const needs = (stage.needs ?? []).map((n) => readyStage(SERVICE_CATALOG[n])).filter((n): n is string => !!n);
            edges.set(stage.name, [...(index === 0 ? entry.shared : [entry.stages[index - 1].name]), ...needs]);
        });
    }
    const seen = new Set<string>();
    const walk = (name: string) => (edges.get(name) ?? []).forEach((next) => { if (!seen.has(next)) { seen.add(next); walk(next); } });
    walk(stageName);
    void service;
    return seen;
}

/** API groups whose CRDs a catalog stage installs (read from what the stage applies, or from its operator). */
const CRD_PROVIDERS: Readonly<Record<string, string>> = {
    "kyverno.io": "kyverno-policy-engine",
    "acid.zalan.do": "postgres-operator-base",
    "operators.coreos.com": "olm-base",
    "k8s.keycloak.org": "keycloak-operator",
    "rbacmanager.reactiveops.io": "rbac-manager-base",
};
/** Installed with Flux itself (the bootstrap), before any service. */
const FLUX_GROUPS = new Set(["helm.toolkit.fluxcd.io", "source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io"]);

describe(`service catalog against openCenter-gitops-base ${GITOPS_BASE_CHECKED_RELEASE}`, function () {
    let root = "";
    before(function () {
        const located = locateGitopsBase();
        if (!located.root) {
            console.log(`      skipped: ${located.reason}`);
            this.skip();
        }
        root = located.root!;
    });

    it("knows the pod-security enforce label of every gitops-base service namespace", () => {
        const labels = new Map<string, string | undefined>();
        // The namespace.yaml files of the services' paths (read, not built: some paths also hold remote bases).
        const yamlFiles = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []);
        for (const { stage } of allStages) {
            for (const file of yamlFiles(path.join(root, stage.path))) {
                for (const document of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
                    const object = document.toJSON() as Manifest | null;
                    if (object?.kind === "Namespace") labels.set(object.metadata.name, (object.metadata as any).labels?.["pod-security.kubernetes.io/enforce"]);
                }
            }
        }
        const namespaces = [...new Set(baseServices.map(([, entry]) => entry.namespace))].filter((n) => !REMOTE_NAMESPACES.has(n)).sort();
        for (const namespace of namespaces) {
            assert.ok(labels.has(namespace), `the tree makes the ${namespace} Namespace`);
            assert.strictEqual(UPSTREAM_NAMESPACE_ENFORCE[namespace], labels.get(namespace), `${namespace}: enforce label`);
        }
    });

    it("Kyverno's default ruleset only audits, so Pod Security admission is what rejects", () => {
        const policies = build(root, "applications/base/services/kyverno/default-ruleset").filter((o) => o.kind === "ClusterPolicy");
        assert.ok(policies.length >= 17);
        for (const policy of policies) {
            const actions = JSON.stringify(policy.spec).match(/"(?:validationF|f)ailureAction":"(\w+)"/g) ?? [];
            assert.ok(actions.length > 0 && actions.every((a) => a.endsWith('"Audit"')), `${policy.metadata.name}: ${actions.join(", ")}`);
        }
    });

    it("longhorn's path marks its StorageClass default, as the program assumes when it patches it", () => {
        for (const [service, { stage, storageClass }] of Object.entries(SERVICE_DEFAULT_STORAGE_CLASSES)) {
            const path = (SERVICE_CATALOG[service] as GitopsBaseService).stages.find((s) => s.name === stage)!.path;
            const sc = build(root, path).find((o) => o.kind === "StorageClass" && o.metadata.name === storageClass) as any;
            assert.strictEqual(sc?.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"], "true", `${service}: ${storageClass}`);
        }
    });

    it("Keycloak's Subscription waits for a manual InstallPlan approval, and plan names the command", () => {
        const subscription = build(root, "applications/base/services/keycloak/10-operator").find((o) => o.kind === "Subscription")!;
        assert.deepStrictEqual([subscription.metadata.name, subscription.metadata.namespace, subscription.spec.installPlanApproval], ["keycloak-subscription", "keycloak", "Manual"]);
        assert.ok(KEYCLOAK_INSTALL_PLAN_APPROVAL.includes(`-n ${subscription.metadata.namespace} get subscription ${subscription.metadata.name}`));
        assert.match(manualServiceSteps(["keycloak"])[0], /kubectl -n keycloak patch installplan/);
        assert.deepStrictEqual(manualServiceSteps(["cert-manager"]), []);
    });

    it("pins the release it was checked against, and stacks default to it", () => {
        assert.strictEqual(gitopsSchema.shape.base.parse({}).release, GITOPS_BASE_CHECKED_RELEASE);
    });

    it("names every gitops-base service directory (istio included), or says why not", () => {
        const services = fs.readdirSync(path.join(root, "applications/base/services")).filter((d) => d !== "observability");
        const observability = fs.readdirSync(path.join(root, "applications/base/services/observability")).filter((d) => !["namespace", "sources"].includes(d));
        const catalogued = new Set(baseServices.map(([name]) => name));
        assert.deepStrictEqual([...services, ...observability].filter((d) => !catalogued.has(d)).sort(), []);
    });

    for (const { service, stage } of allStages) {
        it(`${service}: ${stage.name} builds with kubectl kustomize at ${stage.path}`, () => {
            const dir = path.join(root, stage.path);
            assert.ok(fs.existsSync(path.join(dir, "kustomization.yaml")), `${stage.path}/kustomization.yaml exists`);
            const remote = remoteResources(dir);
            if (remote.length > 0) {
                // Offline here: the remote bases are pinned to a release instead of a branch.
                for (const resource of remote) {
                    assert.match(resource, /\?ref=v[0-9.]+$|\/download\/v[0-9.]+\//, `${resource} is pinned`);
                }
                return;
            }
            assert.ok(build(root, stage.path).length > 0);
        });
    }

    for (const { service, stage } of allStages) {
        for (const check of stage.healthChecks) {
            it(`${service}: health check ${check.kind} ${check.namespace}/${check.name} names a real object`, () => {
                if (check.createdBy) {
                    const doc = fs.readFileSync(path.join(root, check.createdBy.documentedIn), "utf8");
                    assert.match(doc, new RegExp(`kind: ${check.kind}\\s+name: ${check.name}\\s+namespace: ${check.namespace}`), `${check.createdBy.documentedIn} health-checks it`);
                    return;
                }
                const found = build(root, stage.path).find((o) => o.kind === check.kind && o.metadata.name === check.name && (stage.targetNamespace ?? o.metadata.namespace) === check.namespace);
                assert.ok(found, `${stage.path} contains ${check.kind} ${check.namespace}/${check.name}`);
                assert.strictEqual(found!.apiVersion, check.apiVersion);
            });
        }
    }

    for (const [service, entry] of baseServices) {
        for (const target of entry.helmValues) {
            it(`${service}: values Secret ${target.namespace}/${target.secret} is read by HelmRelease ${target.helmRelease}`, () => {
                const release = entry.stages.flatMap((stage) => remoteResources(path.join(root, stage.path)).length ? [] : build(root, stage.path).map((o) => ({ o, stage })))
                    .find(({ o, stage }) => o.kind === "HelmRelease" && o.metadata.name === target.helmRelease && (stage.targetNamespace ?? o.metadata.namespace) === target.namespace)?.o;
                assert.ok(release, `a HelmRelease ${target.namespace}/${target.helmRelease} in ${service}`);
                const reads = (release!.spec.valuesFrom as { kind: string; name: string; valuesKey?: string }[]).some((v) => v.kind === "Secret" && v.name === target.secret && v.valuesKey === "override.yaml");
                assert.ok(reads, `valuesFrom of ${target.helmRelease} names Secret ${target.secret} key override.yaml`);
            });
        }
    }

    it("applies every stage after what it uses: HelmRepositories, namespaces and CRDs", () => {
        const problems: string[] = [];
        const stageOf = new Map<Manifest, ServiceStage>();
        const namespaceAfterFlux = (o: Manifest) => stageOf.get(o)?.targetNamespace ?? o.metadata.namespace;
        const applied = new Map<string, Manifest[]>(allStages.filter(({ stage }) => remoteResources(path.join(root, stage.path)).length === 0).map(({ stage }) => [stage.name, build(root, stage.path)]));
        for (const { stage } of allStages) (applied.get(stage.name) ?? []).forEach((o) => stageOf.set(o, stage));
        for (const { service, stage } of allStages) {
            const objects = applied.get(stage.name);
            if (!objects) continue;
            const before = upstreamStages(service, stage.name);
            const visible = [stage.name, ...before].flatMap((name) => applied.get(name) ?? []);
            const entry = SERVICE_CATALOG[service];
            for (const object of objects) {
                const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "";
                // Flux's targetNamespace overrides the namespace of every namespaced object.
                const namespace = stage.targetNamespace ?? object.metadata.namespace;
                if (object.kind === "HelmRelease") {
                    const source = object.spec.chart.spec.sourceRef;
                    if (!visible.some((o) => o.kind === source.kind && o.metadata.name === source.name && namespaceAfterFlux(o) === (source.namespace ?? namespace))) {
                        problems.push(`${stage.name}: HelmRelease ${object.metadata.name} uses ${source.kind} ${source.namespace}/${source.name}, applied by no earlier stage`);
                    }
                }
                const namespaced = !["Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterPolicy", "CustomResourceDefinition", "StorageClass"].includes(object.kind);
                const programNamespace = entry?.namespace === namespace;
                if (namespaced && namespace && !programNamespace && !visible.some((o) => o.kind === "Namespace" && o.metadata.name === namespace)) {
                    problems.push(`${stage.name}: ${object.kind} ${object.metadata.name} in namespace ${namespace}, which no earlier stage or the program makes`);
                }
                if (namespaced && !namespace && group !== "" && object.kind !== "Namespace") {
                    problems.push(`${stage.name}: ${object.kind} ${object.metadata.name} has no namespace and the stage sets no targetNamespace`);
                }
                const provider = CRD_PROVIDERS[group];
                if (provider && provider !== stage.name && !before.has(provider)) {
                    problems.push(`${stage.name}: ${object.kind} (${group}) needs ${provider} first`);
                }
                if (group.includes(".") && !provider && !FLUX_GROUPS.has(group) && !group.endsWith("k8s.io")) {
                    problems.push(`${stage.name}: ${object.kind} (${group}): which stage installs this CRD? add it to CRD_PROVIDERS`);
                }
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    for (const stack of listStacks()) {
        it(`${stack}: every values Secret the program makes is one the real HelmReleases read`, async () => {
            if (!loadOfflineStack(stack).loaded.spec.gitops) return;
            const run = await runStack(stack);
            const made = ofType(run, "kubernetes:core/v1:Secret").map((r) => r.rawInputs.metadata as { name: string; namespace: string }).filter((m) => m.name.endsWith("-values-override"));
            const read = new Set(baseServices.flatMap(([, entry]) => entry.helmValues.map((t) => `${t.namespace}/${t.secret}`)));
            const charts = new Set(Object.values(SERVICE_CATALOG).filter((s) => s.origin === "chart").flatMap((s) => s.helmValues.map((t) => `${t.namespace}/${t.secret}`)));
            for (const secret of made) {
                const key = `${secret.namespace}/${secret.name}`;
                assert.ok(read.has(key) || charts.has(key), `${key} is read by a HelmRelease`);
            }
        });
    }
});
