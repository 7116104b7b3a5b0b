/**
 * PSS baseline "Host Namespaces", as openCenter's Kyverno policy `disallow-host-namespaces` (rule
 * `host-namespaces`): `hostNetwork`, `hostPID` and `hostIPC`, where present, must be false.
 */
import { podRule, violation } from "../lib/define";
import { has, matchesOneOf } from "../lib/kyverno";

const FIELDS = ["hostPID", "hostIPC", "hostNetwork"] as const;

export default podRule({
    name: "disallow-host-namespaces", category: "pod-security-baseline", severity: "medium",
    description: "Sharing the host's network, PID or IPC namespace gives a pod access to the node; hostNetwork, hostPID and hostIPC must be unset or false.",
    reads: FIELDS.map((field) => `spec.${field}`),
    check: (pod) => FIELDS.filter((field) => has(pod.spec, field) && !matchesOneOf(pod.spec[field], ["false"]))
        .map((field) => violation(`${pod.path}.${field}`, `${field} must be unset or false`, "host-namespaces")),
});
