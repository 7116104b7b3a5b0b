/**
 * PSS restricted "Volume Types", as openCenter's Kyverno policy `restrict-volume-types` (rule
 * `restricted-volumes`): every key of every volume is `name` or one of the allowed volume types.
 */
import { podRule, violation } from "../lib/define";

export const ALLOWED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export default podRule({
    name: "restrict-volume-types", category: "pod-security-restricted", severity: "high",
    description: `Only these volume types are allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}.`,
    reads: ["spec.volumes[*]"],
    check: (pod) => (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).flatMap((volume: unknown, i: number) =>
        (typeof volume === "object" && volume !== null && !Array.isArray(volume) ? Object.keys(volume) : [])
            .filter((key) => key !== "name" && !ALLOWED_VOLUME_TYPES.includes(key))
            .map((key) => violation(`${pod.path}.volumes[${i}].${key}`, `volume type ${key} is not allowed; allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}`, "restricted-volumes"))),
});
