/** Stack policy: the machines made for the control plane are exactly the etcd members, and odd. */
import { violation } from "../lib/define";
import { controlPlaneMachines, findClusterState } from "../lib/cluster";
import type { StackRule } from "../lib/types";

const rule: StackRule = {
    target: "stack", name: "etcd-quorum", category: "stack", severity: "critical",
    description: "Every control-plane machine is an etcd member that Kubespray manages, and the member count is odd, so etcd keeps quorum.",
    check: (resources) => {
        const state = findClusterState(resources);
        if (!state) return [];
        const members = state.controlPlane.map((h) => h.name).sort();
        const out = members.length % 2 === 0 ? [violation("controlPlane", `${members.length} etcd members: quorum needs an odd number`)] : [];
        if (state.provider !== "existing") {
            const machines = controlPlaneMachines(resources).map((m) => String(m.props.name ?? m.props.metadata?.name ?? m.name)).sort();
            if (JSON.stringify(machines) !== JSON.stringify(members)) {
                out.push(violation("controlPlane", `control-plane machines (${machines.join(", ")}) differ from the etcd members Kubespray manages (${members.join(", ")})`));
            }
        }
        return out;
    },
};
export default rule;
