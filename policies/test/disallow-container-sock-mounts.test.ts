import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const containers = [{ name: "c", image: "x:1" }];
const hostPath = (...paths: unknown[]) => ({ containers, volumes: paths.map((path, i) => ({ name: `v${i}`, hostPath: path === undefined ? {} : { path } })) });

describe("policy disallow-container-sock-mounts", () => {
    podRuleCases("disallow-container-sock-mounts", {
        pass: { pod: { volumes: [{ name: "tmp", emptyDir: {} }] } },
        fail: { pod: { volumes: [{ name: "sock", hostPath: { path: "/var/run/docker.sock" } }] } },
        message: /container runtime socket/,
    });
    describe("one Kyverno rule per socket (kyverno/policies best-practices/disallow-cri-sock-mount)", () => {
        it("flags each of the four sockets under its own rule", () => {
            assert.deepStrictEqual(onPod("disallow-container-sock-mounts", hostPath("/var/run/docker.sock", "/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/var/run/cri-dockerd.sock")), [
                "spec.volumes[0].hostPath.path (validate-docker-sock-mount)", "spec.volumes[1].hostPath.path (validate-containerd-sock-mount)",
                "spec.volumes[2].hostPath.path (validate-crio-sock-mount)", "spec.volumes[3].hostPath.path (validate-dockerd-sock-mount)",
            ]);
        });
        it("compares the path exactly, as Kyverno's `!path` patterns do", () => {
            assert.deepStrictEqual(onPod("disallow-container-sock-mounts", hostPath("/run/containerd/containerd.sock", "/var/run/docker.sock/", "/var/lib/data")), []);
        });
        it("fails a hostPath without a path under every rule (the patterns require one)", () => {
            assert.strictEqual(onPod("disallow-container-sock-mounts", hostPath(undefined)).length, 4);
        });
    });
});
