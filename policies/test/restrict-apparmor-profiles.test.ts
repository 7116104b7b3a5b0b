import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const containers = [{ name: "c", image: "x:1" }];
const key = "container.apparmor.security.beta.kubernetes.io/c";

describe("policy restrict-apparmor-profiles", () => {
    podRuleCases("restrict-apparmor-profiles", {
        pass: { metadata: { templateAnnotations: { [key]: "runtime/default" } } },
        fail: { metadata: { templateAnnotations: { [key]: "unconfined" } } },
        message: /AppArmor profile unconfined is not allowed/,
    });
    describe("rule app-armor", () => {
        it("passes runtime/default and localhost/* profiles, and pods without the annotation", () => {
            assert.deepStrictEqual(onPod("restrict-apparmor-profiles", { containers }, { annotations: { [key]: "runtime/default", "container.apparmor.security.beta.kubernetes.io/d": "localhost/k8s-nginx" } }), []);
            assert.deepStrictEqual(onPod("restrict-apparmor-profiles", { containers }), []);
        });
        it("flags any other profile in the annotation", () => {
            assert.deepStrictEqual(onPod("restrict-apparmor-profiles", { containers }, { annotations: { [key]: "unconfined", other: "unconfined" } }), [`metadata.annotations["${key}"] (app-armor)`]);
        });
        it("reads the pod template's annotations on a controller, not the controller's own", () => {
            assert.deepStrictEqual(onPod("restrict-apparmor-profiles", { containers, securityContext: { appArmorProfile: { type: "Unconfined" } } }), [],
                "the appArmorProfile field is outside the pinned ruleset's pattern");
        });
    });
});
