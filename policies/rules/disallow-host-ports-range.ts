/** Kyverno baseline library: host ports only inside the allowed range (policy config). */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "disallow-host-ports-range", category: "best-practices", severity: "medium",
    description: "hostPort must be unset, 0, or within the allowed range (config minPort, maxPort; default 5000-6000).",
    configProperties: { minPort: { type: "integer", default: 5000 }, maxPort: { type: "integer", default: 6000 } },
    check: (pod, config) => {
        const min = (config.minPort as number | undefined) ?? 5000;
        const max = (config.maxPort as number | undefined) ?? 6000;
        return containersOf(pod).flatMap((c) => ((c.container.ports ?? []) as any[]).map((p, i) => ({ p, i }))
            .filter(({ p }) => p?.hostPort !== undefined && p.hostPort !== 0 && (p.hostPort < min || p.hostPort > max))
            .map(({ p, i }) => violation(`${c.path}.ports[${i}].hostPort`, `hostPort ${p.hostPort} is outside ${min}-${max}`)));
    },
});
