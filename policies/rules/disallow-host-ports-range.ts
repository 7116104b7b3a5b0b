/**
 * Kyverno `disallow-host-ports-range` (kyverno/policies pod-security/baseline/disallow-host-ports-range,
 * rule `host-port-range`): every hostPort present, in every container list, lies within the allowed range
 * (config minPort, maxPort; default 5000-6000, the policy's own). A hostPort of 0 is outside the range and
 * fails, as it does in Kyverno.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";
import { has } from "../lib/kyverno";

export default podRule({
    name: "disallow-host-ports-range", category: "best-practices", severity: "medium",
    description: "hostPort, where set, must be within the allowed range (config minPort, maxPort; default 5000-6000).",
    reads: inContainers("ports[*].hostPort"),
    configProperties: { minPort: { type: "integer", default: 5000 }, maxPort: { type: "integer", default: 6000 } },
    check: (pod, config) => {
        const min = (config.minPort as number | undefined) ?? 5000;
        const max = (config.maxPort as number | undefined) ?? 6000;
        return containersOf(pod).flatMap((c) => (Array.isArray(c.container.ports) ? c.container.ports : [])
            .flatMap((port: any, i: number) => {
                if (!has(port, "hostPort") || port.hostPort === null) return [];
                const value = Number(port.hostPort);
                return Number.isFinite(value) && value >= min && value <= max ? []
                    : [violation(`${c.path}.ports[${i}].hostPort`, `hostPort ${port.hostPort} is outside ${min}-${max}`, "host-port-range")];
            }));
    },
});
