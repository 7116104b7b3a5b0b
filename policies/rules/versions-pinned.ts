/** Platform guardrail: Kubernetes, Kubespray, Flux and images at exact versions. */
import { violation } from "../lib/define";
import { clusterState, isCommand, isExactVersion } from "../lib/cluster";
import type { ResourceRule } from "../lib/types";

const rule: ResourceRule = {
    target: "resource", name: "versions-pinned", category: "platform", severity: "high",
    description: "Kubernetes, Kubespray and Flux versions, and the Kubespray image, must be exact, so the same stack file installs the same cluster.",
    appliesTo: (type) => type === "command:local:Command" || type === "kubernetes:fluxcd.controlplane.io/v1:FluxInstance",
    check: (resource) => {
        if (resource.type.endsWith(":FluxInstance")) {
            const version = resource.props.spec?.distribution?.version;
            return isExactVersion(version) ? [] : [violation("spec.distribution.version", `Flux ${version} is not an exact version`)];
        }
        const state = clusterState(resource);
        if (state) {
            return (["kubernetesVersion", "kubesprayVersion"] as const).filter((k) => !isExactVersion(state[k]))
                .map((k) => violation(`environment.KUBESPRAY_DESIRED.${k}`, `${state[k]} is not an exact version`));
        }
        if (isCommand(resource, "prepare")) {
            const env = resource.props.environment ?? {};
            const out = isExactVersion(env.KUBESPRAY_VERSION) ? [] : [violation("environment.KUBESPRAY_VERSION", `${env.KUBESPRAY_VERSION} is not an exact version`)];
            const image = String(env.KUBESPRAY_IMAGE ?? "");
            if (env.KUBESPRAY_RUNNER === "container" && !/(:[^/:]+|@sha256:[a-f0-9]{64})$/.test(image.split("/").pop() ?? "") || /:latest$/.test(image)) {
                out.push(violation("environment.KUBESPRAY_IMAGE", `${image} is not pinned`));
            }
            return out;
        }
        return [];
    },
};
export default rule;
