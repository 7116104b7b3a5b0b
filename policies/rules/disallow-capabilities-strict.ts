/**
 * PSS restricted "Capabilities", as openCenter's Kyverno policy `disallow-capabilities-strict`: rule
 * `require-drop-all` (every container's `capabilities.drop` contains `ALL`, exactly so) and rule
 * `adding-capabilities-strict` (`capabilities.add` holds nothing but `NET_BIND_SERVICE`, or an empty
 * string). The two rules are separate: adding `NET_BIND_SERVICE` is allowed even where `ALL` is not dropped;
 * that container fails `require-drop-all` only.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";

/** `adding-capabilities-strict`'s allowed values, the empty string included. */
export const STRICT_ADDABLE = ["NET_BIND_SERVICE", ""];

export default podRule({
    name: "disallow-capabilities-strict", category: "pod-security-restricted", severity: "high",
    description: "Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE.",
    reads: [...inContainers("securityContext.capabilities.drop"), ...inContainers("securityContext.capabilities.add")],
    check: (pod) => containersOf(pod).flatMap((c) => {
        const capabilities = securityContextOf(c.container)?.capabilities;
        const drop = Array.isArray(capabilities?.drop) ? capabilities.drop : [];
        const add = Array.isArray(capabilities?.add) ? capabilities.add : [];
        return [
            ...(drop.includes("ALL") ? [] : [violation(`${c.path}.securityContext.capabilities.drop`, "must include ALL", "require-drop-all")]),
            ...add.flatMap((cap: unknown, i: number) => cap === null || STRICT_ADDABLE.includes(cap as string) ? []
                : [violation(`${c.path}.securityContext.capabilities.add[${i}]`, `capability ${cap} may not be added; allowed: NET_BIND_SERVICE`, "adding-capabilities-strict")]),
        ];
    }),
});
