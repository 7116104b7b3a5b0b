/**
 * The customer GitOps repository scaffold (seed 004's layout) that `npm run plan` writes to
 * out/<stack>/gitops/: `.sops.yaml` for the cluster's age recipient, the path Flux syncs, the
 * cluster overlay with its managed-services, and a README for application teams.
 */
import * as path from "path";
import { stringify } from "yaml";
import type { ClusterSpec } from "../spec";

export function gitopsScaffold(spec: ClusterSpec, ageRecipient: string): Record<string, string> {
    const gitops = spec.gitops!;
    const cluster = spec.meta.name;
    const overlay = `applications/overlays/${cluster}`;
    const kustomization = (resources: string[]) => stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources });
    return {
        ".sops.yaml": stringify({
            creation_rules: [{ path_regex: `${overlay}/.*\\.ya?ml$`, encrypted_regex: "^(data|stringData)$", age: ageRecipient }],
        }),
        [`${gitops.repository.path}/kustomization.yaml`]: kustomization([path.posix.relative(gitops.repository.path, overlay)]),
        [`${overlay}/kustomization.yaml`]: kustomization(["managed-services"]),
        [`${overlay}/managed-services/kustomization.yaml`]: kustomization([]),
        "README.md": readme(spec, overlay, ageRecipient),
    };
}

function readme(spec: ClusterSpec, overlay: string, recipient: string): string {
    const gitops = spec.gitops!;
    return `# GitOps repository of cluster ${spec.meta.name}

Flux syncs \`${gitops.repository.path}\` on branch \`${gitops.repository.branch}\` every ${gitops.flux.interval}.
Platform services (${spec.enabledServices.map((s) => s.name).join(", ") || "none"}) come from the gitops-base
repository at release \`${gitops.base.release}\`; their settings live in the cluster's Pulumi stack file.

## Adding an application

1. Put its manifests (or a HelmRelease with its HelmRepository) in \`${overlay}/managed-services/<app>/\`
   with a \`kustomization.yaml\`.
2. List \`<app>\` under \`resources\` in \`${overlay}/managed-services/kustomization.yaml\`.
3. Check it before you push: \`kubectl kustomize ${gitops.repository.path}\` and
   \`npm run policy -- ${overlay}\` (the platform's deploy-time policies, run offline).

## Secrets

Never commit a Secret in clear. Encrypt it for this cluster with SOPS; \`.sops.yaml\` already names the
cluster's age recipient (\`${recipient}\`) and encrypts only \`data\` and \`stringData\`:

    sops --encrypt --in-place ${overlay}/managed-services/<app>/secret.yaml

Flux decrypts with the \`sops-age\` Secret the platform installs. When the platform rotates the age key,
run \`sops updatekeys\` on every encrypted file after updating the recipient here.
`;
}
