/**
 * PSS baseline "Host Ports", as openCenter's Kyverno policy `disallow-host-ports` (rule
 * `host-ports-none`): every `ports[*].hostPort` present, in every container list, is 0.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";
import { equalsInteger, has } from "../lib/kyverno";

export default podRule({
    name: "disallow-host-ports", category: "pod-security-baseline", severity: "medium",
    description: "Host ports bind the node's network; ports[*].hostPort must be unset or 0.",
    reads: inContainers("ports[*].hostPort"),
    check: (pod) => containersOf(pod).flatMap((c) => (Array.isArray(c.container.ports) ? c.container.ports : [])
        .flatMap((port: any, i: number) => has(port, "hostPort") && !equalsInteger(port.hostPort, 0)
            ? [violation(`${c.path}.ports[${i}].hostPort`, `hostPort ${port.hostPort} must be unset or 0`, "host-ports-none")] : [])),
});
