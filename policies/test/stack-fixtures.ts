/** Recorded-resource shapes for the stack policies' specs. */
export function clusterCommand(controlPlane: string[], networks = { nodes: "10.0.0.0/24", pods: "10.42.0.0/16", services: "10.43.0.0/16" }) {
    return {
        type: "command:local:Command", name: "c-cluster",
        props: {
            create: "node runner.ts cluster",
            environment: { KUBESPRAY_DESIRED: JSON.stringify({ kind: "cluster", kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0", controlPlane: controlPlane.map((name) => ({ name, address: "10.0.0.10" })), environment: "production", provider: "openstack", networks, apiEndpoint: "kube-vip" }) },
        },
    };
}

export function machine(name: string, serverGroup?: string) {
    return { type: "openstack:compute/instance:Instance", name, props: { name, metadata: { role: "control-plane" }, schedulerHints: serverGroup ? [{ group: serverGroup }] : undefined } };
}
