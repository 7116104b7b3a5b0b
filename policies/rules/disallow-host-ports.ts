/** PSS baseline "Host Ports": hostPort must be unset or 0. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "disallow-host-ports", category: "pod-security-baseline", severity: "medium",
    description: "Host ports bind the node's network; ports[*].hostPort must be unset or 0.",
    check: (pod) => containersOf(pod).flatMap((c) => ((c.container.ports ?? []) as any[]).map((p, i) => ({ p, i }))
        .filter(({ p }) => p?.hostPort !== undefined && p.hostPort !== 0)
        .map(({ p, i }) => violation(`${c.path}.ports[${i}].hostPort`, `hostPort ${p.hostPort} must be unset or 0`))),
});
