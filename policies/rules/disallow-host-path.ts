/** PSS baseline "HostPath Volumes", as openCenter's Kyverno policy `disallow-host-path` (rule `host-path`): no volume has a `hostPath` key. */
import { podRule, violation } from "../lib/define";
import { has } from "../lib/kyverno";

export default podRule({
    name: "disallow-host-path", category: "pod-security-baseline", severity: "medium",
    description: "HostPath volumes expose the node's file system; volumes[*].hostPath must be unset.",
    reads: ["spec.volumes[*].hostPath"],
    check: (pod) => (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).flatMap((volume: any, i: number) => has(volume, "hostPath")
        ? [violation(`${pod.path}.volumes[${i}].hostPath`, `volume ${volume.name ?? i} must not be a hostPath`, "host-path")] : []),
});
