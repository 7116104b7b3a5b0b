/**
 * The offline gate on what the platform services really run: every manifest `kubectl kustomize` builds
 * from each service's path in the gitops-base tree goes through the pack's object rules (the same
 * engine and rules as `npm run policy` and the pack). Per service it says how many objects were checked,
 * which of them carry pods, what the rules found, and what cannot be checked offline:
 *
 * - HelmReleases: Helm renders their workloads inside the cluster (helm-controller), from a chart this
 *   gate does not have; in the cluster, Pod Security admission enforces the namespace's level on those pods
 *   and Kyverno's policies (gitops-base: failureAction Audit) only report on them.
 * - Remote kustomize resources (URLs): fetched by Flux when it applies them; no network here.
 * - Other custom resources: their operators make the pods in the cluster; the same applies to them.
 *
 * A service path without a kustomization of its own is built per sub-directory that has one (as Flux
 * applies each of them from its own Kustomization, e.g. kyverno/policy-engine and kyverno/default-ruleset).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { evaluateObject, type Finding, type PackConfig } from "./engine";
import { podSpecOf } from "./pods";
import type { KubeObject, ObjectRule, Rule } from "./types";

export interface GateService {
    /** Path of the service's base in the gitops-base tree. */
    readonly path: string;
}

export interface NotChecked {
    /** `HelmRelease velero/velero`, a remote URL, `Keycloak keycloak/keycloak`, or a directory whose build failed. */
    readonly what: string;
    readonly why: string;
}

export interface ServiceGateReport {
    readonly service: string;
    readonly path: string;
    /** False when the path is not in the tree at all. */
    readonly exists: boolean;
    /** The kustomization directories built, relative to the tree. */
    readonly built: readonly string[];
    readonly objectsChecked: number;
    /** `Kind namespace/name` of every object with a pod spec that the rules checked. */
    readonly workloadsChecked: readonly string[];
    readonly findings: readonly Finding[];
    readonly notChecked: readonly NotChecked[];
}

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
/**
 * What happens to those pods in the cluster: gitops-base's Kyverno ClusterPolicies are all `failureAction: Audit`
 * (kyverno/default-ruleset), so they report and never reject; Pod Security admission is what rejects.
 */
const ADMISSION = "in the cluster Pod Security admission enforces the namespace's level and Kyverno only audits (gitops-base policies are failureAction: Audit)";

function hasKustomization(dir: string): boolean {
    return KUSTOMIZATION_FILES.some((file) => fs.existsSync(path.join(dir, file)));
}

/** The directories Flux would apply for a service path: itself, or its sub-directories with a kustomization. */
export function kustomizationRoots(dir: string): string[] {
    if (hasKustomization(dir)) return [dir];
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)).sort().flatMap(kustomizationRoots);
}

function remoteResources(dir: string): string[] {
    const file = KUSTOMIZATION_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) return [];
    const kustomization = parse(fs.readFileSync(file, "utf8")) ?? {};
    return [...(kustomization.resources ?? []), ...(kustomization.bases ?? [])].filter((r: unknown) => typeof r === "string" && /^(https?:\/\/|github\.com\/|git@|git::)/.test(r));
}

const name = (object: KubeObject) => `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name ?? "?"}`;

/** Custom resources that configure and run nothing themselves (policies, certificates, monitors). */
const CONFIGURATION_GROUPS = ["kyverno.io", "cert-manager.io", "monitoring.coreos.com", "rbacmanager.reactiveops.io"];

/** Objects whose workloads something in the cluster makes: what the gate cannot see. */
function madeInCluster(object: KubeObject): NotChecked | undefined {
    const group = String(object.apiVersion ?? "").includes("/") ? String(object.apiVersion).split("/")[0] : "";
    if (object.kind === "HelmRelease" && group === "helm.toolkit.fluxcd.io") {
        const chart = object.spec?.chart?.spec ?? object.spec?.chartRef ?? {};
        return { what: `${name(object)} (chart ${chart.chart ?? chart.name ?? "?"} ${chart.version ?? ""})`.replace(/ \)$/, ")"), why: `Helm renders its workloads in the cluster; ${ADMISSION}` };
    }
    const builtIn = group === "" || CONFIGURATION_GROUPS.includes(group) || group.endsWith(".k8s.io") || group.endsWith(".fluxcd.io") || ["apps", "batch", "policy", "autoscaling"].includes(group);
    if (!builtIn) return { what: name(object), why: `a custom resource: its operator makes what it runs in the cluster; ${ADMISSION}` };
    return undefined;
}

/**
 * Runs the gate for each service on the tree at `gitopsBase` (a checkout of the pinned tag).
 * `kubectl` must be on PATH (or given); each build runs without a shell, its arguments never from a stack value.
 */
export function checkServices(gitopsBase: string, services: Readonly<Record<string, GateService>>, rules: readonly Rule[], config: PackConfig = {}, kubectl = "kubectl"): ServiceGateReport[] {
    const objectRules = rules.filter((r): r is ObjectRule => r.target === "object");
    return Object.entries(services).sort(([a], [b]) => a.localeCompare(b)).map(([service, { path: servicePath }]) => {
        const dir = path.join(gitopsBase, servicePath);
        const report = { service, path: servicePath, exists: fs.existsSync(dir), built: [] as string[], objectsChecked: 0, workloadsChecked: [] as string[], findings: [] as Finding[], notChecked: [] as NotChecked[] };
        if (!report.exists) {
            report.notChecked.push({ what: servicePath, why: "not in the gitops-base tree" });
            return report;
        }
        for (const root of kustomizationRoots(dir)) {
            const relative = path.relative(gitopsBase, root);
            const remote = remoteResources(root);
            const build = spawnSync(kubectl, ["kustomize", root], { encoding: "utf8", timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
            if (build.status !== 0) {
                report.notChecked.push(...(remote.length
                    ? remote.map((url) => ({ what: url, why: `a remote resource of ${relative}, fetched when Flux applies it; ${ADMISSION}` }))
                    : [{ what: relative, why: `kubectl kustomize failed: ${(build.stderr || build.error?.message || "").trim().split("\n")[0]}` }]));
                continue;
            }
            report.built.push(relative);
            for (const document of parseAllDocuments(build.stdout)) {
                const object = document.toJS() as KubeObject | null;
                if (!object || typeof object !== "object" || !object.kind) continue;
                report.objectsChecked++;
                if (podSpecOf(object)) report.workloadsChecked.push(name(object));
                const unseen = madeInCluster(object);
                if (unseen) report.notChecked.push(unseen);
                for (const rule of objectRules) report.findings.push(...evaluateObject(rule, object, config).map((f) => ({ ...f, file: relative })));
            }
        }
        return report;
    });
}

/** The per-service table a person reads (what `npm run plan` prints when wired). */
export function formatServiceGate(reports: readonly ServiceGateReport[]): string {
    const lines = ["Pod security on what the services run (offline gate over kubectl kustomize; the rest is checked in the cluster: Pod Security admission enforces, Kyverno audits):"];
    for (const r of reports) {
        lines.push(`  ${r.service} (${r.path}): ${r.exists ? `${r.objectsChecked} object(s) checked, ${r.workloadsChecked.length} with pods, ${r.findings.length} finding(s), ${r.notChecked.length} not checkable offline` : "path not in the tree"}`);
        for (const f of r.findings) lines.push(`    [${f.enforcement}] ${f.policy}${f.rule ? `/${f.rule}` : ""}: ${f.kind} ${f.namespace ?? ""}/${f.name} ${f.field}: ${f.message}`);
        for (const n of r.notChecked) lines.push(`    not checked: ${n.what}: ${n.why}`);
    }
    return lines.join("\n");
}
