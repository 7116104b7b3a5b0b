/** PSS baseline "Seccomp": the profile may not be Unconfined. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

const ALLOWED = ["RuntimeDefault", "Localhost"];
const check = (profile: any, path: string) => profile?.type !== undefined && !ALLOWED.includes(profile.type)
    ? [violation(`${path}.type`, `seccomp profile ${profile.type} is not allowed; allowed: RuntimeDefault, Localhost`)] : [];

export default podRule({
    name: "restrict-seccomp", category: "pod-security-baseline", severity: "medium",
    description: "Seccomp may not be disabled: seccompProfile.type must be unset, RuntimeDefault or Localhost.",
    check: (pod) => [
        ...check(pod.spec.securityContext?.seccompProfile, `${pod.path}.securityContext.seccompProfile`),
        ...containersOf(pod).flatMap((c) => check(c.container.securityContext?.seccompProfile, `${c.path}.securityContext.seccompProfile`)),
    ],
});
