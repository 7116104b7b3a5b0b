/** Platform guardrail: control-plane machines are kept on different hosts. */
import { violation } from "../lib/define";
import { controlPlaneMachines } from "../lib/cluster";
import type { StackRule } from "../lib/types";

const rule: StackRule = {
    target: "stack", name: "control-plane-anti-affinity", category: "platform", severity: "high",
    description: "With more than one control-plane machine, they must be spread over hosts: an OpenStack anti-affinity server group, a vSphere DRS anti-affinity rule, or Harvester pod anti-affinity.",
    check: (resources) => {
        const machines = controlPlaneMachines(resources);
        if (machines.length < 2) return [];
        const groups = new Map(resources.filter((r) => r.type === "openstack:compute/serverGroup:ServerGroup").map((r) => [r.name, r]));
        const problems = [];
        for (const machine of machines) {
            if (machine.type.startsWith("openstack:")) {
                const hinted = (machine.props.schedulerHints ?? []).some((h: any) => h?.group);
                const policies = [...groups.values()].flatMap((g) => g.props.policies ?? []);
                if (!hinted || !policies.some((p: string) => p.includes("anti-affinity"))) {
                    problems.push(violation(`${machine.name}.schedulerHints`, `${machine.name} is in no anti-affinity server group`));
                }
            } else if (machine.type.startsWith("kubernetes:kubevirt")) {
                const anti = machine.props.spec?.template?.spec?.affinity?.podAntiAffinity;
                if (!anti) problems.push(violation(`${machine.name}.spec.template.spec.affinity.podAntiAffinity`, `${machine.name} has no anti-affinity`));
            }
        }
        if (machines[0].type.startsWith("vsphere:") && !resources.some((r) => r.type === "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule" && (r.props.virtualMachineIds ?? []).length >= machines.length)) {
            problems.push(violation("ComputeClusterVmAntiAffinityRule", "the control-plane VMs have no DRS anti-affinity rule covering all of them"));
        }
        return problems;
    },
};
export default rule;
