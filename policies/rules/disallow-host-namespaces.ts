/** PSS baseline "Host Namespaces": hostNetwork, hostPID and hostIPC must be unset or false. */
import { podRule, violation } from "../lib/define";

export default podRule({
    name: "disallow-host-namespaces", category: "pod-security-baseline", severity: "high",
    description: "Sharing the host's network, PID or IPC namespace gives a pod access to the node; hostNetwork, hostPID and hostIPC must be unset or false.",
    check: (pod) => (["hostNetwork", "hostPID", "hostIPC"] as const)
        .filter((field) => pod.spec[field] === true)
        .map((field) => violation(`${pod.path}.${field}`, `${field} must be unset or false`)),
});
