/** PSS restricted "Volume Types": only the volume types that cannot reach the node. */
import { podRule, violation } from "../lib/define";

export const ALLOWED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export default podRule({
    name: "restrict-volume-types", category: "pod-security-restricted", severity: "medium",
    description: `Only these volume types are allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}.`,
    check: (pod) => ((pod.spec.volumes ?? []) as any[]).flatMap((volume, i) => Object.keys(volume ?? {}).filter((key) => key !== "name" && !ALLOWED_VOLUME_TYPES.includes(key))
        .map((key) => violation(`${pod.path}.volumes[${i}].${key}`, `volume type ${key} is not allowed; allowed: ${ALLOWED_VOLUME_TYPES.join(", ")}`))),
});
