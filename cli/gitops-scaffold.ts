/**
 * The customer GitOps repository scaffold, in seed 004's layout (docs.opencenter.cloud "GitOps workflow";
 * openCenter CLI internal/gitops/templates):
 *
 *     .gitignore  .sops.yaml  README.md
 *     <gitops.repository.path>/kustomization.yaml          the path Flux syncs → the overlay
 *     applications/overlays/<cluster>/
 *         .sops.yaml  kustomization.yaml
 *         flux-system/              (Flux is installed by the program: README says where)
 *         services/sources/         (GitRepositories: made by the program, README says where)
 *         services/fluxcd/          (Kustomizations: made by the program, README says where)
 *         services/<svc>/           the cluster's own manifests for a platform service (<svc>-override)
 *         managed-services/{sources,fluxcd,<app>}/   the team's applications
 *     infrastructure/clusters/<cluster>/                   (the Pulumi stack: README says where)
 *
 * `.sops.yaml` carries the cluster's real age recipient (stack output `ageRecipient`) or, offline, a
 * placeholder SOPS refuses, with the command that fixes it: {@link refreshScaffold}.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseDocument, stringify } from "yaml";
import type { ClusterSpec } from "../spec";
import { loadOfflineStack } from "./stacks";

/** Not an age recipient: `sops --encrypt` fails on it instead of producing a file Flux cannot decrypt. */
export const AGE_RECIPIENT_PLACEHOLDER = "PLACEHOLDER-run-pulumi-up-then-refresh-this-scaffold-with-the-real-ageRecipient";
export const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** The command that writes or refreshes the scaffold with the real recipient (wired by the CLI). */
export const refreshCommand = (stack: string) => `npx clusters scaffold --stack ${stack} --dir <your GitOps repository checkout>`;

export interface ScaffoldFile {
    readonly content: string;
    /** Seed files are written only when missing (a team edits them); the rest is the program's and is refreshed. */
    readonly seed: boolean;
}

const kustomization = (resources: string[]) => stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources });

/** The scaffold's files by path. `ageRecipient` is the stack output; without it, an unmistakable placeholder. */
export function scaffoldFiles(spec: ClusterSpec, stack: string, ageRecipient?: string): Record<string, ScaffoldFile> {
    const gitops = spec.gitops!;
    const cluster = spec.meta.name;
    const overlay = `applications/overlays/${cluster}`;
    const recipient = ageRecipient && AGE_RECIPIENT.test(ageRecipient) ? ageRecipient : undefined;
    const sops = (pathRegex: string) => sopsConfig(pathRegex, recipient, stack);
    const files: Record<string, ScaffoldFile> = {
        ".gitignore": { seed: true, content: ["# decrypted or local files that must never be committed", "*.dec.yaml", "*.decrypted.*", "*.agekey", "keys.txt", "kubeconfig*", ".env", ".DS_Store", ""].join("\n") },
        ".sops.yaml": { seed: false, content: sops(`${overlay}/.*\\.ya?ml$`) },
        "README.md": { seed: false, content: readme(spec, stack, overlay, recipient) },
        [`${overlay}/.sops.yaml`]: { seed: false, content: sops(".*\\.ya?ml$") },
        [`${overlay}/kustomization.yaml`]: { seed: true, content: kustomization(["managed-services"]) },
        [`${overlay}/flux-system/README.md`]: { seed: false, content: fluxSystemReadme(spec, stack) },
        [`${overlay}/services/sources/README.md`]: { seed: false, content: programOwned(spec, stack, "sources", "GitRepository", "gitrepositories") },
        [`${overlay}/services/fluxcd/README.md`]: { seed: false, content: programOwned(spec, stack, "fluxcd", "Kustomization", "kustomizations") },
        [`${overlay}/managed-services/kustomization.yaml`]: { seed: true, content: kustomization(["sources", "fluxcd"]) },
        [`${overlay}/managed-services/sources/kustomization.yaml`]: { seed: true, content: kustomization([]) },
        [`${overlay}/managed-services/fluxcd/kustomization.yaml`]: { seed: true, content: kustomization([]) },
        [`infrastructure/clusters/${cluster}/README.md`]: { seed: false, content: infrastructureReadme(spec, stack) },
    };
    for (const service of spec.enabledServices.filter((s) => s.origin === "gitops-base")) {
        files[`${overlay}/services/${service.name}/kustomization.yaml`] = { seed: true, content: kustomization([]) };
    }
    if (path.posix.normalize(gitops.repository.path) !== overlay) {
        files[`${gitops.repository.path}/kustomization.yaml`] = { seed: true, content: kustomization([path.posix.relative(gitops.repository.path, overlay)]) };
    }
    return files;
}

/** The scaffold as path → content (what `npm run plan` writes to out/<stack>/gitops/). */
export function gitopsScaffold(spec: ClusterSpec, stack: string, ageRecipient?: string): Record<string, string> {
    return Object.fromEntries(Object.entries(scaffoldFiles(spec, stack, ageRecipient)).map(([file, { content }]) => [file, content]));
}

function sopsConfig(pathRegex: string, recipient: string | undefined, stack: string): string {
    const header = recipient
        ? `# The age recipient of cluster secrets: the stack output ageRecipient of ${stack}.\n`
        : [
            "# PLACEHOLDER: written offline, before the cluster's age key exists. SOPS refuses this recipient,",
            "# so nothing can be encrypted with it. After `pulumi up`, write the real one with:",
            `#   ${refreshCommand(stack)}`,
            `# (or put the output of \`pulumi stack output ageRecipient --stack ${stack}\` in place of the placeholder).`,
            "",
        ].join("\n");
    return header + stringify({ creation_rules: [{ path_regex: pathRegex, encrypted_regex: "^(data|stringData)$", age: recipient ?? AGE_RECIPIENT_PLACEHOLDER }] });
}

/**
 * A refreshed `.sops.yaml`: the program's creation rule (the one with its `path_regex`) replaced in place,
 * every other rule a team added kept in its order (SOPS uses the first rule that matches), and any other
 * top-level key kept. A file that is not a SOPS config is refused rather than overwritten.
 */
export function keepTeamRules(existing: string, ours: string, file = ".sops.yaml"): string {
    const oursDocument = parseDocument(ours);
    const ourRule = (oursDocument.toJS() as { creation_rules: { path_regex: string }[] }).creation_rules[0];
    let theirs: unknown;
    try {
        theirs = parseDocument(existing).toJS();
    } catch (error) {
        throw new Error(`scaffold: ${file} is not valid YAML (${(error as Error).message.split("\n")[0]}); fix or remove it; nothing was written to it`);
    }
    if (theirs === null || theirs === undefined) {
        return ours;
    }
    const rules = (theirs as { creation_rules?: unknown }).creation_rules;
    if (typeof theirs !== "object" || Array.isArray(theirs) || (rules !== undefined && !Array.isArray(rules))) {
        throw new Error(`scaffold: ${file} is not a SOPS config (a map with a creation_rules list); fix or remove it; nothing was written to it`);
    }
    const teamRules = (rules ?? []) as { path_regex?: unknown }[];
    const at = teamRules.findIndex((rule) => rule?.path_regex === ourRule.path_regex);
    const merged = at < 0 ? [ourRule, ...teamRules] : teamRules.map((rule, index) => (index === at ? ourRule : rule));
    const header = ours.slice(0, ours.indexOf("creation_rules:"));
    return header + stringify({ ...(theirs as Record<string, unknown>), creation_rules: merged });
}

export interface RefreshResult {
    readonly dir: string;
    readonly recipient: string;
    /** Files written (new, or the program's own files refreshed). */
    readonly written: readonly string[];
    /** Seed files that exist already and were left as the team edited them. */
    readonly kept: readonly string[];
}

/**
 * Writes or refreshes the scaffold in `dir` (a checkout of the cluster's GitOps repository) with the real
 * age recipient: `ageRecipient` if given, else `pulumi stack output ageRecipient --stack <stack>`. The
 * program's files (READMEs; in .sops.yaml only its own creation rule) are rewritten; kustomization.yaml files a team edits are created
 * only when missing. Refuses anything that is not an age recipient.
 */
export function refreshScaffold(args: { stack: string; dir: string; ageRecipient?: string; stackOutput?: (stack: string, name: string) => string }): RefreshResult {
    const stackOutput = args.stackOutput ?? ((stack: string, name: string) => execFileSync("pulumi", ["stack", "output", name, "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    let recipient = args.ageRecipient;
    if (!recipient) {
        try {
            recipient = stackOutput(args.stack, "ageRecipient").trim();
        } catch (error) {
            throw new Error(`scaffold: could not read the stack output ageRecipient of ${args.stack} (has \`pulumi up\` run? is the Pulumi CLI logged in?): ${(error as Error).message.split("\n")[0]}`);
        }
    }
    if (!AGE_RECIPIENT.test(recipient)) {
        throw new Error(`scaffold: "${recipient.slice(0, 80)}" is not an age recipient (age1 followed by 58 bech32 characters); nothing was written`);
    }
    const { spec } = loadOfflineStack(args.stack).loaded;
    if (!spec.gitops) {
        throw new Error(`scaffold: stack ${args.stack} has no gitops section, so it has no GitOps repository`);
    }
    const written: string[] = [];
    const kept: string[] = [];
    for (const [file, { content, seed }] of Object.entries(scaffoldFiles(spec, args.stack, recipient)).sort(([a], [b]) => a.localeCompare(b))) {
        const target = path.join(args.dir, file);
        if (seed && fs.existsSync(target)) {
            kept.push(file);
            continue;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, path.posix.basename(file) === ".sops.yaml" && fs.existsSync(target) ? keepTeamRules(fs.readFileSync(target, "utf8"), content, target) : content);
        written.push(file);
    }
    return { dir: args.dir, recipient, written, kept };
}

function readme(spec: ClusterSpec, stack: string, overlay: string, recipient: string | undefined): string {
    const gitops = spec.gitops!;
    const base = spec.enabledServices.filter((s) => s.origin === "gitops-base").map((s) => s.name);
    return `# GitOps repository of cluster ${spec.meta.name}

Flux syncs \`${gitops.repository.path}\` on branch \`${gitops.repository.branch}\` every ${gitops.flux.interval}, decrypting
SOPS-encrypted files with the cluster's age key. Platform services come from openCenter-gitops-base at
release \`${gitops.base.release}\`; which ones run, their versions and their values are set in the cluster's
Pulumi stack file (\`stacks/Pulumi.${stack}.yaml\`, keys \`services\` and \`secrets.services\`).

| folder | who edits it | what |
|---|---|---|
| \`${overlay}/managed-services/\` | you | your applications: \`<app>/\` folders, their Flux sources in \`sources/\` and Kustomizations in \`fluxcd/\` |
| \`${overlay}/services/<svc>/\` | you | extra manifests for a platform service (issuers, realms, dashboards), applied by \`<svc>-override\` after the service is Ready |
| \`${overlay}/services/sources/\`, \`services/fluxcd/\` | the program | the services' GitRepositories and Kustomizations live in Pulumi state (see the README there) |
| \`${overlay}/flux-system/\` | the program | Flux itself (see the README there) |
| \`infrastructure/clusters/${spec.meta.name}/\` | the program | machines, network, Kubespray: the Pulumi stack (see the README there) |

Service folders here: ${base.map((s) => `\`${s}\``).join(", ") || "none"}.

## Adding an application

1. Put its manifests (or a HelmRelease with its HelmRepository) in \`${overlay}/managed-services/<app>/\`
   with a \`kustomization.yaml\`.
2. List \`<app>\` under \`resources\` in \`${overlay}/managed-services/kustomization.yaml\`.
3. Check it before you push: \`kubectl kustomize ${gitops.repository.path}\` and
   \`npm run policy -- ${overlay}\` (the platform's deploy-time policies, run offline).

## Secrets

Never commit a Secret in clear. Encrypt it for this cluster with SOPS; \`.sops.yaml\` encrypts only \`data\`
and \`stringData\`:

    sops --encrypt --in-place ${overlay}/managed-services/<app>/secret.yaml

${recipient ? `The recipient is the cluster's age key (\`${recipient}\`, stack output \`ageRecipient\`).` : `**\`.sops.yaml\` holds a placeholder**: this scaffold was written before the cluster existed. After
\`pulumi up\`, run \`${refreshCommand(stack)}\`: it writes the real recipient (stack output \`ageRecipient\`).
SOPS refuses the placeholder, so nothing can be encrypted for the wrong key meanwhile.`}

Flux decrypts with the \`sops-age\` Secret the program installs. When the age key is rotated
(\`operations.keyRotation.ageGeneration\`), refresh this scaffold and run \`sops updatekeys\` on every encrypted file.
`;
}

function fluxSystemReadme(spec: ClusterSpec, stack: string): string {
    const gitops = spec.gitops!;
    return `# flux-system: in Pulumi state, by design

openCenter's \`flux bootstrap\` commits \`gotk-components.yaml\` and \`gotk-sync.yaml\` here. This cluster's Flux is
installed by the program instead: the Flux Operator (Helm chart ${gitops.flux.operatorVersion}) and a \`FluxInstance\`
at Flux ${gitops.flux.version}, then the root \`GitRepository\` and \`Kustomization\` \`flux-system\` that sync
\`${gitops.repository.path}\` with SOPS decryption (\`sops-age\`).

Where to look: \`kubectl -n flux-system get fluxinstance flux\`, \`kubectl -n flux-system get gitrepositories,kustomizations\`;
the versions are \`gitops.flux\` in \`stacks/Pulumi.${stack}.yaml\`; \`npm run plan -- --stack ${stack}\` lists every object
in \`out/${stack}/resources.json\`. Change them in the stack file, not here.
`;
}

function programOwned(spec: ClusterSpec, stack: string, folder: string, kind: string, plural: string): string {
    const names = spec.enabledServices.filter((s) => s.origin === "gitops-base").map((s) => s.name);
    return `# services/${folder}: in Pulumi state, by design

The ${kind} objects of the platform services (${names.join(", ") || "none"}) are made by the program from the
\`services\` section of \`stacks/Pulumi.${stack}.yaml\`: a GitRepository \`opencenter-<svc>\` pinned to the gitops-base
release, one Kustomization per stage (\`<svc>-base\`, or e.g. \`keycloak-postgres\` → \`keycloak-operator\` →
\`keycloak-cr\` → \`keycloak-oidc-rbac\`) and \`<svc>-override\` for \`services/<svc>/\` here. Helm values are the
\`<svc>-values-override\` Secrets the program makes from \`services.<svc>.values\` and \`secrets.services.<svc>\`.

Where to look: \`kubectl -n flux-system get ${plural}\`; \`npm run plan -- --stack ${stack}\` (\`out/${stack}/resources.json\`).
To enable, disable or configure a service, edit the stack file and run \`pulumi up\`.
`;
}

function infrastructureReadme(spec: ClusterSpec, stack: string): string {
    return `# infrastructure/clusters/${spec.meta.name}: the Pulumi stack, by design

openCenter keeps \`main.tf\`, \`variables.tf\`, \`provider.tf\` and the Kubespray inventory here. This cluster's
infrastructure (${spec.infrastructure.provider}) and its Kubespray runs are the Pulumi stack \`${stack}\`:

- the desired state: \`stacks/Pulumi.${stack}.yaml\` in the program's repository (\`infrastructure\`, \`kubernetes\`, \`kubespray\`);
- the Kubespray inventory and group_vars: rendered by every run into \`.kubespray/${stack}/inventory/\`
  (offline: \`npm run plan -- --stack ${stack}\` writes them to \`out/${stack}/kubespray/\`);
- the kubeconfig: \`pulumi stack output kubeconfig --show-secrets --stack ${stack}\`;
- what exists: \`pulumi stack --stack ${stack}\`, drift: \`npm run drift -- --stack ${stack}\`.
`;
}
