/** Kyverno best practice: no container runtime sockets mounted into pods. */
import { podRule, violation } from "../lib/define";

const SOCKETS = ["/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock"];

export default podRule({
    name: "disallow-container-sock-mounts", category: "best-practices", severity: "high",
    description: "Mounting a container runtime socket gives control over every container on the node.",
    check: (pod) => ((pod.spec.volumes ?? []) as any[]).map((v, i) => ({ v, i })).filter(({ v }) => SOCKETS.includes(String(v?.hostPath?.path ?? "").replace(/\/+$/, "")))
        .map(({ v, i }) => violation(`${pod.path}.volumes[${i}].hostPath.path`, `${v.hostPath.path} is a container runtime socket`)),
});
