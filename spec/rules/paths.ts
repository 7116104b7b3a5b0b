/** Paths the program writes to. */
import type { RuleContext } from "./context";

/**
 * The plan writes the GitOps repository's scaffold (cli/gitops-scaffold.ts): the synced path's
 * `kustomization.yaml` points at the cluster overlay `applications/overlays/<cluster>`, which has its own
 * `kustomization.yaml` and `managed-services/`. The synced path must therefore lie outside that
 * overlay, or the two files would be one and the Kustomization would include itself.
 */
export function gitopsPathFitsTheScaffold(ctx: RuleContext): void {
    const gitops = ctx.config.gitops;
    if (!gitops?.repository.path) {
        return;
    }
    const path = gitops.repository.path;
    const overlay = `applications/overlays/${ctx.config.meta.name}`;
    if (path === overlay || path.startsWith(`${overlay}/`)) {
        ctx.error("gitops.repository.path", `${path} is inside the cluster's overlay ${overlay}, which the synced path includes; choose a path outside it (default clusters/${ctx.config.meta.name})`);
    }
}
