/** Platform guardrail: SSH and the Kubernetes API are open to the Internet only when the spec says so. */
import { violation } from "../lib/define";
import { WORLD_MARKER } from "../lib/cluster";
import type { ResourceRule } from "../lib/types";

const WORLD = ["0.0.0.0/0", "::/0"];

const rule: ResourceRule = {
    target: "resource", name: "ssh-api-not-open-to-world", category: "platform", severity: "critical",
    description: "Security-group rules and load-balancer listeners open to 0.0.0.0/0 must come from infrastructure.network.allowedCidrs saying so.",
    appliesTo: (type) => type === "openstack:networking/secGroupRule:SecGroupRule" || type === "openstack:loadbalancer/listener:Listener",
    check: (resource) => {
        const explicit = String(resource.props.description ?? "").includes(WORLD_MARKER);
        if (resource.type.endsWith(":SecGroupRule")) {
            return WORLD.includes(resource.props.remoteIpPrefix) && !explicit
                ? [violation("remoteIpPrefix", `${resource.props.remoteIpPrefix} opens port ${resource.props.portRangeMin ?? "all"} to the world without the spec asking for it`)] : [];
        }
        return ((resource.props.allowedCidrs ?? []) as string[]).some((c) => WORLD.includes(c)) && !explicit
            ? [violation("allowedCidrs", "the API listener is open to the world without the spec asking for it")] : [];
    },
};
export default rule;
