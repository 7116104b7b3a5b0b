/** Stack policy: the Kubernetes API has exactly one endpoint, of the kind the spec chose. */
import { violation } from "../lib/define";
import { findClusterState } from "../lib/cluster";
import type { StackRule } from "../lib/types";

const rule: StackRule = {
    target: "stack", name: "one-api-endpoint", category: "stack", severity: "high",
    description: "One API endpoint: a kube-vip VIP or one load balancer, never both and never two.",
    check: (resources) => {
        const state = findClusterState(resources);
        if (!state) return [];
        const vips = resources.filter((r) => r.type === "openstack:networking/port:Port" && String(r.name).endsWith("-api-vip"));
        const balancers = resources.filter((r) => r.type === "openstack:loadbalancer/loadBalancer:LoadBalancer" || r.type === "kubernetes:loadbalancer.harvesterhci.io/v1beta1:LoadBalancer");
        const out = [];
        if (vips.length + balancers.length > 1) out.push(violation("apiEndpoint", `${vips.length} VIP port(s) and ${balancers.length} load balancer(s) serve the API; keep one`));
        if (state.apiEndpoint === "kube-vip" && balancers.length > 0) out.push(violation("apiEndpoint", "the spec chose kube-vip but a load balancer serves the API too"));
        if (state.apiEndpoint === "loadbalancer" && ["openstack", "harvester"].includes(state.provider) && balancers.length !== 1) out.push(violation("apiEndpoint", "the spec chose a load balancer but none (or several) exist"));
        return out;
    },
};
export default rule;
