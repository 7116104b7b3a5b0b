/** PSS restricted "Capabilities": drop ALL, add at most NET_BIND_SERVICE. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "disallow-capabilities-strict", category: "pod-security-restricted", severity: "medium",
    description: "Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE.",
    check: (pod) => containersOf(pod).flatMap((c) => {
        const caps = c.container.securityContext?.capabilities ?? {};
        const out = [];
        if (!((caps.drop ?? []) as string[]).includes("ALL")) {
            out.push(violation(`${c.path}.securityContext.capabilities.drop`, "must include ALL"));
        }
        ((caps.add ?? []) as string[]).forEach((cap, i) => {
            if (cap !== "NET_BIND_SERVICE") out.push(violation(`${c.path}.securityContext.capabilities.add[${i}]`, `capability ${cap} may not be added; allowed: NET_BIND_SERVICE`));
        });
        return out;
    }),
});
