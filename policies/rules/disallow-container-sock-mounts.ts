/**
 * Kyverno best practice `disallow-container-sock-mounts` (kyverno/policies
 * best-practices/disallow-cri-sock-mount): four rules, one per runtime socket, each failing a hostPath
 * volume whose `path` is exactly that socket (or that has no `path`: the pattern requires one).
 */
import { podRule, violation } from "../lib/define";
import { has } from "../lib/kyverno";

/** Kyverno's rule for each socket path. */
export const SOCKETS: Readonly<Record<string, string>> = {
    "/var/run/docker.sock": "validate-docker-sock-mount",
    "/var/run/containerd/containerd.sock": "validate-containerd-sock-mount",
    "/var/run/crio/crio.sock": "validate-crio-sock-mount",
    "/var/run/cri-dockerd.sock": "validate-dockerd-sock-mount",
};

export default podRule({
    name: "disallow-container-sock-mounts", category: "best-practices", severity: "medium",
    description: `Mounting a container runtime socket gives control over every container on the node; hostPath volumes must not be ${Object.keys(SOCKETS).join(", ")}.`,
    reads: ["spec.volumes[*].hostPath.path"],
    check: (pod) => (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).flatMap((volume: any, i: number) => {
        if (!has(volume, "hostPath")) return [];
        const field = `${pod.path}.volumes[${i}].hostPath.path`;
        if (!has(volume.hostPath, "path")) return Object.values(SOCKETS).map((rule) => violation(field, "a hostPath volume must name its path", rule));
        const rule = SOCKETS[String(volume.hostPath.path)];
        return rule ? [violation(field, `${volume.hostPath.path} is a container runtime socket`, rule)] : [];
    }),
});
