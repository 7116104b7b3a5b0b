import type { RuleContext } from "./context";

/**
 * `operations.decommission.confirm` lifts the protection of the whole cluster: it must be this cluster's
 * own name, so a section copied from another stack file, or a typo, unprotects nothing. The message does
 * not repeat the name: typing it is the point.
 */
export function decommissionNamesThisCluster(ctx: RuleContext): void {
    const { confirm } = ctx.config.operations.decommission;
    if (confirm !== undefined && confirm !== ctx.config.meta.name) {
        ctx.error("operations.decommission.confirm", `is "${confirm}", which is not this cluster's meta.name; to tear this cluster down, type its meta.name here (anything else is refused so that a copied stack file cannot)`);
    }
}
