/**
 * PSS baseline "AppArmor", as openCenter's Kyverno policy `restrict-apparmor-profiles` (rule
 * `app-armor`): every `container.apparmor.security.beta.kubernetes.io/*` annotation of the pod (on a
 * controller: of its pod template) is `runtime/default` or `localhost/*`. The ruleset at the pinned tag
 * checks the annotations only, not the `securityContext.appArmorProfile` fields of Kubernetes 1.30, and
 * neither do we: Kyverno parity, see the README.
 */
import { podRule, violation } from "../lib/define";
import { matchesOneOf, wildcardMatch } from "../lib/kyverno";

const ANNOTATION = "container.apparmor.security.beta.kubernetes.io/*";
const ALLOWED = ["runtime/default", "localhost/*"];

export default podRule({
    name: "restrict-apparmor-profiles", category: "pod-security-baseline", severity: "medium",
    description: "AppArmor may not be disabled or overridden: container.apparmor.security.beta.kubernetes.io/* annotations must be runtime/default or localhost/*.",
    reads: [`metadata.annotations.${ANNOTATION}`],
    check: (pod) => {
        const annotations = pod.metadata.annotations;
        if (typeof annotations !== "object" || annotations === null) return [];
        return Object.entries(annotations).filter(([key, value]) => wildcardMatch(ANNOTATION, key) && !matchesOneOf(value, ALLOWED))
            .map(([key, value]) => violation(`${pod.metadataPath}.annotations["${key}"]`, `AppArmor profile ${value} is not allowed; allowed: ${ALLOWED.join(", ")}`, "app-armor"));
    },
});
