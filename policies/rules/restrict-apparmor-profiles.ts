/** PSS baseline "AppArmor": only the runtime default or localhost profiles. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

const ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

function profile(value: any, path: string) {
    return value?.type !== undefined && !["RuntimeDefault", "Localhost"].includes(value.type)
        ? [violation(`${path}.type`, `AppArmor profile ${value.type} is not allowed; allowed: RuntimeDefault, Localhost`)] : [];
}

export default podRule({
    name: "restrict-apparmor-profiles", category: "pod-security-baseline", severity: "medium",
    description: "AppArmor may not be disabled or overridden: profiles must be runtime/default or localhost/*.",
    check: (pod) => [
        ...Object.entries(pod.metadata.annotations ?? {}).filter(([key]) => key.startsWith(ANNOTATION))
            .filter(([, value]) => value !== "runtime/default" && !String(value).startsWith("localhost/"))
            .map(([key, value]) => violation(`${pod.metadataPath}.annotations["${key}"]`, `AppArmor profile ${value} is not allowed; allowed: runtime/default, localhost/*`)),
        ...profile(pod.spec.securityContext?.appArmorProfile, `${pod.path}.securityContext.appArmorProfile`),
        ...containersOf(pod).flatMap((c) => profile(c.container.securityContext?.appArmorProfile, `${c.path}.securityContext.appArmorProfile`)),
    ],
});
