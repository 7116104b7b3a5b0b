import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listStacks, loadOfflineStack } from "../../cli/stacks";
import { SERVICE_CATALOG } from "../../spec";
import { openstackConfig, withValue } from "../fixtures/configs";
import { diffRuns, named, ofType, runConfig, runStack, strings, urnName } from "../helpers";
import { celProblems, validateObject } from "../schemas";

const FLUX_KINDS = ["GitRepository", "Kustomization", "HelmRelease", "HelmRepository", "Schedule", "BackupStorageLocation", "Restore"];
const objectOf = (inputs: Record<string, unknown>) => inputs as { apiVersion: string; kind: string; metadata: any; spec: any };
const CLOUD = { authUrl: "https://keystone.example:5000/v3", region: "r1", applicationCredentialId: "app-cred-id", applicationCredentialSecret: "app-cred-secret-456" };
const withGitops = () => withValue(withValue(openstackConfig(), "gitops", { repository: { url: "ssh://git@github.com/acme/gitops.git" } }),
    "secrets.services", { "kube-prometheus-stack": { grafanaAdminPassword: "grafana-pw-123" }, "openstack-ccm": CLOUD, "openstack-csi": CLOUD });

describe("Flux bootstrap, platform services and backups", () => {
    for (const stack of listStacks()) {
        it(`every Flux and Velero object of ${stack} validates against the strict schemas and their CEL rules`, async () => {
            const run = await runStack(stack);
            const objects = run.resources.filter((r) => r.type.startsWith("kubernetes:") && FLUX_KINDS.includes(String(r.rawInputs.kind)));
            if (loadOfflineStack(stack).loaded.spec.gitops) {
                assert.ok(objects.length > 4, "the stack has Flux objects");
            }
            for (const resource of objects) {
                const object = objectOf(resource.rawInputs);
                assert.deepStrictEqual(validateObject(object), [], resource.name);
                assert.deepStrictEqual(celProblems(object), [], resource.name);
            }
        });
    }

    it("installs Flux with the Flux Operator at the pinned versions, then syncs the cluster's path", async () => {
        const run = await runStack("dev-openstack");
        const release = ofType(run, "kubernetes:helm.sh/v3:Release")[0].rawInputs;
        assert.deepStrictEqual([release.chart, release.version, release.namespace], ["oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator", "0.28.0", "flux-system"]);
        const instance = objectOf(ofType(run, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance")[0].rawInputs);
        assert.strictEqual(instance.spec.distribution.version, "2.9.4");
        assert.strictEqual(instance.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
        const repo = objectOf(named(run, "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "gitrepository:flux-system/flux-system").rawInputs);
        assert.deepStrictEqual([repo.spec.url, repo.spec.ref, repo.spec.secretRef], ["ssh://git@github.com/acme/clusters-gitops.git", { branch: "main" }, { name: "flux-system" }]);
        const root = objectOf(named(run, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "kustomization:flux-system/flux-system").rawInputs);
        assert.deepStrictEqual([root.spec.path, root.spec.prune, root.spec.decryption], ["./clusters/dev-os", true, { provider: "sops", secretRef: { name: "sops-age" } }]);
        const rootResource = named(run, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "kustomization:flux-system/flux-system");
        assert.ok(rootResource.dependencies.includes(ofType(run, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance")[0].urn), "Flux objects wait for Flux");
    });

    it("uses an SSH deploy key made by @pulumi/tls, with its public key as a stack output", async () => {
        const run = await runStack("dev-openstack");
        const secret = named(run, "kubernetes:core/v1:Secret", "flux-system/flux-system");
        assert.deepStrictEqual(secret.secretPaths, ["stringData"]);
        const data = secret.rawInputs.stringData as Record<string, string>;
        assert.match(data.identity, /BEGIN OPENSSH PRIVATE KEY/);
        assert.match(data.known_hosts, /^github\.com ssh-ed25519 /);
        assert.match(String(run.outputs.fluxDeployKey), /^ssh-ed25519 /);
    });

    it("uses the token for an https repository", async () => {
        const run = await runStack("prod-vsphere");
        const data = named(run, "kubernetes:core/v1:Secret", "flux-system/flux-system").rawInputs.stringData as Record<string, string>;
        assert.deepStrictEqual(Object.keys(data).sort(), ["password", "username"]);
        assert.strictEqual(run.outputs.fluxDeployKey, undefined);
    });

    it("wires each service from the catalog: pinned source, one Kustomization per stage, each after the one before", async () => {
        const run = await runStack("prod-vsphere");
        const { spec } = loadOfflineStack("prod-vsphere").loaded;
        const kustomizations = ofType(run, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization").map((r) => objectOf(r.rawInputs)).filter((k) => k.metadata.name !== "flux-system");
        const byName = new Map(kustomizations.map((k) => [k.metadata.name as string, k]));
        const dependsOn = (name: string) => ((byName.get(name)?.spec.dependsOn ?? []) as { name: string }[]).map((d) => d.name);
        for (const service of spec.enabledServices) {
            const entry = SERVICE_CATALOG[service.name];
            if (entry.origin !== "gitops-base") {
                continue;
            }
            entry.stages.forEach((stage, index) => {
                assert.ok(byName.has(stage.name), `${service.name}: stage ${stage.name} is applied`);
                const expected = index === 0 ? [...entry.shared] : [entry.stages[index - 1].name];
                for (const needed of stage.needs ?? []) {
                    const dependency = SERVICE_CATALOG[needed];
                    if (dependency.origin === "gitops-base") expected.push(dependency.stages[dependency.stages.length - 1].name);
                }
                assert.deepStrictEqual(dependsOn(stage.name).sort(), [...new Set(expected)].sort(), stage.name);
                const k = byName.get(stage.name)!;
                assert.deepStrictEqual([k.spec.prune, k.spec.wait, k.spec.timeout, k.spec.retryInterval], [true, stage.healthChecks.length === 0, "10m", "1m"], stage.name);
            });
            const override = byName.get(`${service.name}-override`)!;
            assert.deepStrictEqual([override.spec.path, override.spec.sourceRef.name, override.spec.decryption.secretRef.name], [`./applications/overlays/prod-vs/services/${service.name}`, "flux-system", "sops-age"]);
        }
        const sources = ofType(run, "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository").map((r) => objectOf(r.rawInputs)).filter((g) => g.metadata.name.startsWith("opencenter-"));
        assert.ok(sources.every((g) => g.spec.ref.tag === "2026.01"), "pinned to the base release tag");
        // the dependsOn graph has no cycle and names only Kustomizations that exist
        const visiting = new Set<string>();
        const done = new Set<string>();
        const visit = (node: string) => {
            assert.ok(byName.has(node), `dependsOn names ${node}, which is not applied`);
            assert.ok(!visiting.has(node), `cycle through ${node}`);
            if (done.has(node)) return;
            visiting.add(node);
            dependsOn(node).forEach(visit);
            visiting.delete(node);
            done.add(node);
        };
        [...byName.keys()].forEach(visit);
    });

    it("applies staged services in their order: keycloak and kyverno", async () => {
        const run = await runConfig(withValue(withValue(withGitops(), "services", { headlamp: { enabled: true }, keycloak: { enabled: true, values: { hostname: { hostname: "https://auth.t1.example" } } } }),
            "secrets.services", { "kube-prometheus-stack": { grafanaAdminPassword: "pw" }, headlamp: { oidcClientSecret: "cs" }, "openstack-ccm": CLOUD, "openstack-csi": CLOUD }));
        const k = (name: string) => objectOf(named(run, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", `kustomization:flux-system/${name}`).rawInputs);
        const deps = (name: string) => (k(name).spec.dependsOn as { name: string }[]).map((d) => d.name).sort();
        assert.deepStrictEqual(deps("keycloak-postgres"), ["postgres-operator-base"]);
        assert.deepStrictEqual(deps("keycloak-operator"), ["keycloak-postgres", "olm-base"]);
        assert.deepStrictEqual(deps("keycloak-cr"), ["cert-manager-base", "gateway-api-base", "keycloak-operator"]);
        assert.deepStrictEqual(deps("keycloak-oidc-rbac"), ["keycloak-cr", "rbac-manager-base"]);
        assert.deepStrictEqual(deps("headlamp-base"), ["keycloak-oidc-rbac"]);
        assert.deepStrictEqual(deps("kyverno-default-ruleset"), ["kyverno-policy-engine"]);
        assert.deepStrictEqual(k("kyverno-policy-engine").spec.healthChecks, [{ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", name: "kyverno", namespace: "kyverno" }]);
        // keycloak has no HelmRelease: its values patch the Keycloak custom resource
        const patches = k("keycloak-cr").spec.patches as { patch: string; target: Record<string, string> }[];
        assert.deepStrictEqual(patches[0].target, { group: "k8s.keycloak.org", version: "v2alpha1", kind: "Keycloak", name: "keycloak", namespace: "keycloak" });
        assert.match(patches[0].patch, /hostname:\n {4}hostname: https:\/\/auth\.t1\.example/);
        assert.ok(!run.resources.some((r) => r.name.includes("keycloak-values-override")), "no values Secret nobody reads");
        for (const resource of ofType(run, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization")) {
            assert.deepStrictEqual(validateObject(objectOf(resource.rawInputs)), [], resource.name);
        }
    });

    it("puts values and secret values into the override Secret, secret end to end", async () => {
        const run = await runConfig(withGitops());
        const secret = named(run, "kubernetes:core/v1:Secret", "observability/kube-prometheus-stack-values-override");
        assert.strictEqual(secret.inputs.stringData, "[secret]");
        assert.match((secret.rawInputs.stringData as Record<string, string>)["override.yaml"], /grafana:\n {2}adminPassword: grafana-pw-123/);
        assert.ok(!run.resources.flatMap((r) => strings(r.inputs)).some((s) => s.includes("grafana-pw-123")), "never in clear in recorded inputs");
    });

    it("disabling a service removes exactly its objects", async () => {
        const before = await runConfig(withGitops());
        const after = await runConfig(withValue(withGitops(), "services", { tempo: { enabled: false } }));
        const diff = diffRuns(before, after);
        assert.deepStrictEqual([diff.added, diff.changed], [[], []]);
        assert.deepStrictEqual(diff.removed.map(urnName).sort(), ["gitrepository:flux-system/opencenter-tempo", "kustomization:flux-system/tempo-base", "kustomization:flux-system/tempo-override"]);
    });

    it("schedules Velero backups after Velero is Ready", async () => {
        const run = await runStack("prod-vsphere");
        const schedules = ofType(run, "kubernetes:velero.io/v1:Schedule").map((r) => objectOf(r.rawInputs));
        assert.deepStrictEqual(schedules.map((s) => [s.metadata.name, s.spec.schedule, s.spec.template.ttl]), [["prod-vs-daily", "0 1 * * *", "720h"], ["prod-vs-weekly", "0 3 * * 0", "2160h"]]);
        const bsl = objectOf(ofType(run, "kubernetes:velero.io/v1:BackupStorageLocation")[0].rawInputs);
        assert.deepStrictEqual([bsl.spec.objectStorage.bucket, bsl.spec.config.s3Url], ["prod-vs-velero", "https://s3.acme.example"]);
        const velero = named(run, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "kustomization:flux-system/velero-base");
        assert.strictEqual((velero.rawInputs.metadata as any).annotations["pulumi.com/waitFor"], "condition=Ready");
        const credentials = named(run, "kubernetes:core/v1:Secret", "velero/velero-credentials");
        assert.ok(credentials.dependencies.includes(velero.urn));
        assert.strictEqual(credentials.inputs.stringData, "[secret]");
    });

    it("makes an age identity that Debian's real age decrypts with, for the recipient in the outputs", async () => {
        const run = await runStack("dev-openstack");
        const keys = (named(run, "kubernetes:core/v1:Secret", "flux-system/sops-age").rawInputs.stringData as Record<string, string>)["age.agekey"];
        assert.match(keys, /^# recipient: age1[0-9a-z]{58}\nAGE-SECRET-KEY-1[0-9A-Z]{58}\n$/);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "age-"));
        const identity = path.join(dir, "keys.txt");
        fs.writeFileSync(identity, keys, { mode: 0o600 });
        const encrypted = execFileSync("age", ["-r", String(run.outputs.ageRecipient)], { input: "round trip" });
        assert.strictEqual(execFileSync("age", ["-d", "-i", identity], { input: encrypted }).toString(), "round trip");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("keeps the previous age identity in sops-age during a rotation, and reports key dates", async () => {
        const run = await runConfig(withValue(withGitops(), "operations.keyRotation", { ageGeneration: 2, sshGeneration: 1 }));
        const keys = (named(run, "kubernetes:core/v1:Secret", "flux-system/sops-age").rawInputs.stringData as Record<string, string>)["age.agekey"];
        assert.strictEqual(keys.match(/AGE-SECRET-KEY-1/g)?.length, 2);
        assert.deepStrictEqual(ofType(run, "tls:index/privateKey:PrivateKey").map((r) => r.name).sort(), ["t1-age-g1", "t1-age-g2", "t1-flux-deploy-key-g0", "t1-ssh-g0", "t1-ssh-g1"]);
        assert.deepStrictEqual([run.outputs.ageKeyCreatedAt, run.outputs.ageKeyRotationDue], ["2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"]);
        assert.deepStrictEqual([run.outputs.sshKeyCreatedAt, run.outputs.sshKeyRotationDue], ["2026-01-01T00:00:00Z", "2026-06-30T00:00:00Z"]);
        const rollout = named(run, "command:local:Command", "t1-ssh-keys");
        assert.deepStrictEqual(rollout.secretPaths, ["stdin"]);
        assert.deepStrictEqual(Object.keys(JSON.parse(String(rollout.rawInputs.stdin))).sort(), ["key", "previousKey"]);
    });

    it("rotates the generated Flux deploy key with a generation, with created-at and due dates like the other keys", async () => {
        const before = await runConfig(withGitops());
        assert.deepStrictEqual([before.outputs.fluxDeployKeyCreatedAt, before.outputs.fluxDeployKeyRotationDue], ["2026-01-01T00:00:00Z", "2026-06-30T00:00:00Z"]);
        const key0 = named(before, "tls:index/privateKey:PrivateKey", "t1-flux-deploy-key-g0");
        assert.ok(key0.urn.endsWith("t1-flux-deploy-key-g0"));
        const after = await runConfig(withValue(withGitops(), "operations.keyRotation", { fluxDeployKeyGeneration: 1, fluxDeployKeyDays: 90 }));
        const diff = diffRuns(before, after);
        assert.deepStrictEqual(diff.added.map(urnName).sort(), ["t1-flux-deploy-key-g1", "t1-flux-deploy-key-g1-created-at"]);
        assert.ok(diff.removed.map(urnName).includes("t1-flux-deploy-key-g0"));
        assert.ok(diff.changed.map(urnName).includes("flux-system/flux-system"), "Flux's Git secret switches to the new key");
        assert.notStrictEqual(after.outputs.fluxDeployKey, before.outputs.fluxDeployKey);
        assert.strictEqual(after.outputs.fluxDeployKeyRotationDue, "2026-04-01T00:00:00Z");
    });
});
