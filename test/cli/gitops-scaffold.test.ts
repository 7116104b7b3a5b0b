/**
 * The customer GitOps repository scaffold: seed 004's layout, every level with a kustomization builds
 * with `kubectl kustomize`, `.sops.yaml` carries an offline placeholder that age refuses (with the command
 * that fixes it), and refreshScaffold writes the real recipient from the stack output without
 * overwriting what a team edited.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { AGE_RECIPIENT_PLACEHOLDER, keepTeamRules, refreshScaffold } from "../../cli/gitops-scaffold";
import { plan } from "../../cli/plan";
import { loadOfflineStack } from "../../cli/stacks";
import { cachedRunStack as runStack } from "../runs";

function filesUnder(dir: string, prefix = ""): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
        ? filesUnder(path.join(dir, entry.name), path.posix.join(prefix, entry.name))
        : [path.posix.join(prefix, entry.name)]);
}

describe("GitOps repository scaffold", () => {
    let out = "";
    let gitops = "";
    before(async () => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "scaffold-"));
        gitops = path.join((await plan(loadOfflineStack("enclave-harvester"), out)).outDir, "gitops");
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("has seed 004's layout, and says where the pieces kept in Pulumi state are", () => {
        const files = filesUnder(gitops);
        const overlay = "applications/overlays/enclave";
        for (const file of [".gitignore", ".sops.yaml", "README.md", `${overlay}/.sops.yaml`, `${overlay}/kustomization.yaml`, `${overlay}/flux-system/README.md`,
            `${overlay}/services/sources/README.md`, `${overlay}/services/fluxcd/README.md`, `${overlay}/services/cert-manager/kustomization.yaml`,
            `${overlay}/managed-services/sources/kustomization.yaml`, `${overlay}/managed-services/fluxcd/kustomization.yaml`, "infrastructure/clusters/enclave/README.md", "clusters/enclave/kustomization.yaml"]) {
            assert.ok(files.includes(file), `${file} is in the scaffold`);
        }
        assert.match(fs.readFileSync(path.join(gitops, `${overlay}/flux-system/README.md`), "utf8"), /in Pulumi state, by design[\s\S]*kubectl -n flux-system get fluxinstance flux/);
        assert.match(fs.readFileSync(path.join(gitops, "infrastructure/clusters/enclave/README.md"), "utf8"), /pulumi stack output kubeconfig/);
        assert.match(fs.readFileSync(path.join(gitops, "README.md"), "utf8"), /## Adding an application/);
    });

    it("builds with kubectl kustomize at every level that has a kustomization", () => {
        const dirs = filesUnder(gitops).filter((f) => f.endsWith("kustomization.yaml")).map((f) => path.posix.dirname(f));
        assert.ok(dirs.length >= 8);
        for (const dir of dirs) {
            execFileSync("kubectl", ["kustomize", path.join(gitops, dir)], { stdio: "pipe" });
        }
    });

    it("offline, .sops.yaml holds a placeholder age refuses, and the command that fixes it", () => {
        for (const file of [".sops.yaml", "applications/overlays/enclave/.sops.yaml"]) {
            const text = fs.readFileSync(path.join(gitops, file), "utf8");
            assert.match(text, /# PLACEHOLDER[\s\S]*npx clusters scaffold --stack enclave-harvester/);
            assert.strictEqual((parse(text) as any).creation_rules[0].age, AGE_RECIPIENT_PLACEHOLDER);
            assert.doesNotMatch(text, /age1[0-9a-z]{58}/, "no recipient invented offline");
        }
        const refused = spawnSync("age", ["-r", AGE_RECIPIENT_PLACEHOLDER], { input: "secret" });
        assert.notStrictEqual(refused.status, 0, "age refuses the placeholder");
    });

    it("refreshScaffold writes the real recipient from the stack output, keeps what a team edited, refuses a non-recipient", async () => {
        const recipient = String((await runStack("enclave-harvester")).outputs.ageRecipient);
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-repo-"));
        const edited = path.join(repo, "applications/overlays/enclave/managed-services/kustomization.yaml");
        fs.mkdirSync(path.dirname(edited), { recursive: true });
        fs.writeFileSync(edited, "resources: [sources, fluxcd, shop]\n");
        const asked: string[] = [];
        const result = refreshScaffold({ stack: "enclave-harvester", dir: repo, stackOutput: (stack, name) => { asked.push(`${stack}:${name}`); return `${recipient}\n`; } });
        assert.deepStrictEqual(asked, ["enclave-harvester:ageRecipient"]);
        assert.ok(result.kept.includes("applications/overlays/enclave/managed-services/kustomization.yaml"));
        assert.strictEqual(fs.readFileSync(edited, "utf8"), "resources: [sources, fluxcd, shop]\n");
        const sops = parse(fs.readFileSync(path.join(repo, ".sops.yaml"), "utf8")) as any;
        assert.strictEqual(sops.creation_rules[0].age, recipient);
        assert.strictEqual(execFileSync("age", ["-r", recipient], { input: "ok" }).length > 0, true, "age encrypts to it");
        assert.throws(() => refreshScaffold({ stack: "enclave-harvester", dir: repo, ageRecipient: "age1notreal" }), /not an age recipient/);
        fs.rmSync(repo, { recursive: true, force: true });
    });

    it("a refresh replaces only the program's .sops.yaml rule and keeps the rules a team added, in order", () => {
        const recipient = "age1" + "q".repeat(58);
        const ours = (age: string) => `# header\n${"creation_rules:"}\n  - path_regex: applications/overlays/c/.*\\.ya?ml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${age}\n`;
        const team = "stores: {yaml: {indent: 2}}\ncreation_rules:\n  - path_regex: apps/.*\\.yaml$\n    age: age1team\n  - path_regex: applications/overlays/c/.*\\.ya?ml$\n    age: PLACEHOLDER\n  - path_regex: .*\n    pgp: ABC\n";
        const merged = parse(keepTeamRules(team, ours(recipient))) as any;
        assert.deepStrictEqual(merged.creation_rules.map((r: any) => r.age ?? r.pgp), ["age1team", recipient, "ABC"]);
        assert.deepStrictEqual(merged.stores, { yaml: { indent: 2 } });
        // Without the program's rule, it goes first; an empty file becomes the program's.
        assert.deepStrictEqual((parse(keepTeamRules("creation_rules:\n  - path_regex: x\n    age: age1team\n", ours(recipient))) as any).creation_rules.map((r: any) => r.age), [recipient, "age1team"]);
        assert.strictEqual(keepTeamRules("", ours(recipient)), ours(recipient));
        assert.throws(() => keepTeamRules("creation_rules: 3\n", ours(recipient)), /not a SOPS config/);
    });
});
