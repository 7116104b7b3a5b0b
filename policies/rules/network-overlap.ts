/** Stack policy: node, pod and service networks are disjoint, and the node subnet is the one created. */
import * as ipaddr from "ipaddr.js";
import { violation } from "../lib/define";
import { findClusterState } from "../lib/cluster";
import type { StackRule } from "../lib/types";

function overlaps(a: string, b: string): boolean {
    const [na, pa] = ipaddr.parseCIDR(a);
    const [nb, pb] = ipaddr.parseCIDR(b);
    return na.kind() === nb.kind() && (na.match(nb, pb) || nb.match(na, pa));
}

const rule: StackRule = {
    target: "stack", name: "network-overlap", category: "stack", severity: "critical",
    description: "The node, pod and service networks must not overlap, and a created node subnet must be the spec's.",
    check: (resources) => {
        const state = findClusterState(resources);
        if (!state) return [];
        const named = Object.entries(state.networks);
        const out = [];
        for (let i = 0; i < named.length; i++) {
            for (let j = i + 1; j < named.length; j++) {
                if (overlaps(named[i][1], named[j][1])) out.push(violation(`networks.${named[j][0]}`, `${named[j][1]} overlaps the ${named[i][0]} network ${named[i][1]}`));
            }
        }
        for (const subnet of resources.filter((r) => r.type === "openstack:networking/subnet:Subnet")) {
            if (subnet.props.cidr !== state.networks.nodes) out.push(violation(`${subnet.name}.cidr`, `${subnet.props.cidr} is not the node network ${state.networks.nodes}`));
        }
        return out;
    },
};
export default rule;
