/** PSS baseline "HostPath Volumes": no hostPath volumes. */
import { podRule, violation } from "../lib/define";

export default podRule({
    name: "disallow-host-path", category: "pod-security-baseline", severity: "high",
    description: "HostPath volumes expose the node's file system; volumes[*].hostPath must be unset.",
    check: (pod) => ((pod.spec.volumes ?? []) as any[]).map((v, i) => ({ v, i })).filter(({ v }) => v?.hostPath !== undefined)
        .map(({ v, i }) => violation(`${pod.path}.volumes[${i}].hostPath`, `volume ${v.name ?? i} must not be a hostPath`)),
});
