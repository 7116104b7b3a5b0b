/** Platform guardrail: Helm charts are installed at an exact version. */
import { violation } from "../lib/define";
import { isExactVersion } from "../lib/cluster";
import type { ResourceRule } from "../lib/types";

const rule: ResourceRule = {
    target: "resource", name: "chart-versions-pinned", category: "platform", severity: "high",
    description: "Helm releases (Pulumi's and Flux's HelmRelease) must name an exact chart version.",
    appliesTo: (type) => type === "kubernetes:helm.sh/v3:Release" || type === "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease",
    check: (resource) => {
        const [field, version] = resource.type.endsWith(":Release") ? ["version", resource.props.version] : ["spec.chart.spec.version", resource.props.spec?.chart?.spec?.version];
        if (resource.type.endsWith(":HelmRelease") && resource.props.spec?.chartRef) return [];
        return isExactVersion(version) ? [] : [violation(field, `chart version ${version ?? "(unset)"} is not an exact version`)];
    },
};
export default rule;
