/** Platform guardrail: the control plane (etcd) is odd, and at least 3 nodes in production. */
import { violation } from "../lib/define";
import { clusterState, isCommand } from "../lib/cluster";
import type { ResourceRule } from "../lib/types";

const rule: ResourceRule = {
    target: "resource", name: "control-plane-count", category: "platform", severity: "high",
    description: "The control plane carries etcd: its node count must be odd, and at least 3 in production.",
    appliesTo: (type) => type === "command:local:Command",
    check: (resource) => {
        const state = isCommand(resource, "cluster") ? clusterState(resource) : undefined;
        if (!state) return [];
        const count = state.controlPlane.length;
        if (count % 2 === 0) return [violation("environment.KUBESPRAY_DESIRED.controlPlane", `${count} control-plane nodes: etcd needs an odd number`)];
        if (state.environment === "production" && count < 3) return [violation("environment.KUBESPRAY_DESIRED.controlPlane", `${count} control-plane node(s) in production: at least 3 are needed`)];
        return [];
    },
};
export default rule;
