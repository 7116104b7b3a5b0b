/**
 * Cloud integration per provider: each example stack comes up with its cloud controller, CSI driver and
 * default StorageClass, and the Kubespray variables that go with an external controller are ones the
 * pinned Kubespray release accepts (read from ../shared/upstream/kubespray-v2.31.0, or
 * CLUSTERS_KUBESPRAY_SOURCE; skipped visibly without it).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadOfflineStack } from "../../cli/stacks";
import { CLOUD_INTEGRATION, cloudProviderKubesprayVars, serviceLoadBalancerConfig, UNINITIALIZED_TAINT } from "../../spec/cloud";
import { loadClusterSpec } from "../../spec";
import { serviceObjects } from "../../components/services/objects";
import { withValue } from "../fixtures/configs";
import { ofType, named, runConfig, strings } from "../helpers";
import { cachedRunStack as runStack } from "../runs";

const kubespray = process.env.CLUSTERS_KUBESPRAY_SOURCE ?? path.resolve(__dirname, "..", "..", "..", "shared", "upstream", "kubespray-v2.31.0");
const overrideOf = (run: Awaited<ReturnType<typeof runStack>>, name: string) =>
    parse((named(run, "kubernetes:core/v1:Secret", name).rawInputs.stringData as Record<string, string>)["override.yaml"]) as Record<string, any>;

describe("cloud integration per provider", () => {
    it("sets Kubespray's external cloud provider exactly when a cloud controller runs", () => {
        const vars = (stack: string) => cloudProviderKubesprayVars(loadOfflineStack(stack).loaded.spec);
        for (const stack of ["dev-openstack", "prod-vsphere", "enclave-harvester"]) {
            assert.deepStrictEqual(vars(stack), {
                cloud_provider: "external", external_cloud_provider: "manual",
                dns_extra_tolerations: [{ key: UNINITIALIZED_TAINT, operator: "Exists", effect: "NoSchedule" }],
            }, stack);
        }
        assert.deepStrictEqual(vars("edge-existing"), {});
    });

    it("uses only values and variables Kubespray v2.31.0 accepts", function () {
        if (!fs.existsSync(path.join(kubespray, "roles"))) {
            console.log(`      skipped: no Kubespray v2.31.0 at ${kubespray} (set CLUSTERS_KUBESPRAY_SOURCE)`);
            this.skip();
        }
        const defaults = fs.readFileSync(path.join(kubespray, "roles/kubespray_defaults/defaults/main/main.yml"), "utf8");
        assert.match(defaults, /^cloud_provider: ""$/m);
        assert.match(defaults, /^external_cloud_provider: ""$/m);
        const validate = fs.readFileSync(path.join(kubespray, "roles/validate_inventory/tasks/main.yml"), "utf8");
        assert.match(validate, /that: cloud_provider == 'external'/);
        const allowed = /external_cloud_provider in \[([^\]]+)\]/.exec(validate)![1].split(",").map((s) => s.trim().replace(/'/g, ""));
        assert.ok(allowed.includes("manual"), `external_cloud_provider allows ${allowed.join(", ")}`);
        const coredns = fs.readFileSync(path.join(kubespray, "roles/kubernetes-apps/ansible/templates/coredns-deployment.yml.j2"), "utf8");
        assert.match(coredns, /dns_extra_tolerations \| list \| to_nice_yaml/);
        // manual installs no controller of Kubespray's own: only the listed providers have one
        const controllers = fs.readdirSync(path.join(kubespray, "roles/kubernetes-apps/external_cloud_controller")).filter((d) => d !== "meta");
        assert.ok(!controllers.includes("manual"));
    });

    it("OpenStack: openstack-ccm and Cinder CSI from gitops-base, wired by cloud.conf, default StorageClass", async () => {
        const run = await runStack("dev-openstack");
        const kustomizations = ofType(run, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization").map((r) => (r.rawInputs.metadata as { name: string }).name);
        assert.ok(kustomizations.includes("openstack-ccm-base") && kustomizations.includes("openstack-csi-base"));
        const ccm = overrideOf(run, "openstack-ccm/openstack-ccm-values-override");
        assert.deepStrictEqual(Object.keys(ccm.cloudConfig.global).sort(), ["application-credential-id", "application-credential-secret", "auth-url", "region"]);
        assert.strictEqual(ccm.cloudConfig.loadBalancer["floating-network-id"], "0c9d4f8e-8a55-4d0a-9f4b-6f3c2b1a7e10");
        // amphora reaches the NodePorts from the node subnet, which the worker security group opens.
        assert.deepStrictEqual(ccm.cloudConfig.loadBalancer["lb-provider"], "amphora");
        assert.strictEqual(ccm.cloudConfig.loadBalancer["manage-security-groups"], undefined);
        const csi = overrideOf(run, "openstack-csi/openstack-csi-values-override");
        assert.match(csi.secret.data["cloud.conf"], /^\[Global\]\nauth-url = ".+"\nregion = /);
        assert.deepStrictEqual([csi.secret.enabled, csi.secret.create, csi.storageClass.enabled, csi.storageClass.delete.isDefault], [true, true, true, true]);
        assert.strictEqual(CLOUD_INTEGRATION.openstack.defaultStorageClass, "csi-cinder-sc-delete");
        assert.strictEqual(named(run, "kubernetes:core/v1:Secret", "openstack-csi/openstack-csi-values-override").inputs.stringData, "[secret]");
    });

    it("OpenStack with the OVN provider: the cloud controller manages the Services' NodePort security groups", () => {
        // cloud-provider-openstack pkg/openstack/loadbalancer_sg.go: with lb-provider "ovn" (OVN keeps the
        // client address), manage-security-groups opens each NodePort to the Service's loadBalancerSourceRanges
        // instead of the member subnet; ovn-octavia-provider balances by SOURCE_IP_PORT only.
        const { values } = loadOfflineStack("dev-openstack");
        const spec = loadClusterSpec(withValue(values, "infrastructure.openstack.loadBalancerProvider", "ovn")).spec;
        assert.deepStrictEqual(serviceLoadBalancerConfig(spec), { "lb-provider": "ovn", "lb-method": "SOURCE_IP_PORT", "manage-security-groups": true });
    });

    it("OpenStack with the OVN provider: worker ports keep the controller's security groups across a refresh", async () => {
        // The controller attaches its per-Service group to member ports (loadbalancer_sg.go,
        // applyNodeSecurityGroupIDForLB); without ignoreChanges a `pulumi up --refresh` would take it off.
        const { values } = loadOfflineStack("dev-openstack");
        const ovn = await runConfig(withValue(values, "infrastructure.openstack.loadBalancerProvider", "ovn"));
        const ports = ofType(ovn, "openstack:networking/port:Port").filter((p) => /^dev-os-(cp|general)-\d+$/.test(p.name));
        assert.deepStrictEqual(ports.map((p) => [p.name, p.options.ignoreChanges]), ports.map((p) => [p.name, p.name.includes("-general-") ? ["securityGroupIds"] : []]));
        const amphora = await runStack("dev-openstack");
        assert.ok(ofType(amphora, "openstack:networking/port:Port").every((p) => p.options.ignoreChanges.length === 0), "amphora: the program owns every port's groups");
    });

    it("one default StorageClass: longhorn's `general` is made non-default while the provider CSI runs, and the plan says so", () => {
        const { values } = loadOfflineStack("dev-openstack");
        const loaded = loadClusterSpec(withValue(values, "services.longhorn", { enabled: true }));
        assert.ok(loaded.warnings.some((w) => w.path === "services.longhorn" && /csi-cinder-sc-delete \(services.openstack-csi\) stays the only default StorageClass/.test(w.message)));
        const longhorn = loaded.spec.enabledServices.find((s) => s.name === "longhorn")! as any;
        const stage = serviceObjects(loaded.spec, longhorn).find((o) => o.kind === "Kustomization")! as any;
        assert.deepStrictEqual(stage.spec.patches.map((p: any) => [p.target.kind, p.target.name, parse(p.patch).metadata.annotations]), [["StorageClass", "general", { "storageclass.kubernetes.io/is-default-class": "false" }]]);
        // Without a provider CSI (existing hosts), `general` stays the one default: no patch.
        const withoutCsi = loadClusterSpec(withValue(withValue(withValue(values, "services.longhorn", { enabled: true }), "services.openstack-csi", { enabled: false }), "secrets.services.openstack-csi", undefined));
        assert.ok(!withoutCsi.warnings.some((w) => w.path === "services.longhorn"));
        assert.strictEqual((serviceObjects(withoutCsi.spec, withoutCsi.spec.enabledServices.find((s) => s.name === "longhorn")! as any).find((o) => o.kind === "Kustomization") as any).spec.patches, undefined);
        // Asking for the chart's class as a second default is refused, naming the field.
        assert.throws(() => loadClusterSpec(withValue(values, "services.longhorn", { enabled: true, values: { persistence: { defaultClass: true } } })), /services\.longhorn\.values\.persistence\.defaultClass: true makes the chart's StorageClass a second default beside csi-cinder-sc-delete/);
    });

    it("restricted Pod Security by default: the plan warns about enabled services whose namespaces gitops-base leaves unlabelled", () => {
        const warning = (config: Record<string, unknown>) => loadClusterSpec(config).warnings.find((w) => w.path === "kubernetes.podSecurity.exemptNamespaces")?.message;
        const { values } = loadOfflineStack("prod-vsphere");
        const message = warning(values)!;
        assert.match(message, /level is "restricted"/);
        for (const namespace of ["cert-manager (cert-manager)", "keycloak (keycloak)", "kyverno (kyverno)", "postgres-operator (postgres-operator)", "rbac-system (rbac-manager)", "envoy-gateway-system (gateway-api)", "headlamp (headlamp)"]) {
            assert.ok(message.includes(namespace), namespace);
        }
        // Labelled privileged upstream (vmware-system-csi, observability, velero) or exempt (kube-system): not listed.
        assert.ok(!/vmware-system-csi|observability|velero|kube-system/.test(message), message);
        assert.strictEqual(warning(withValue(values, "kubernetes.podSecurity.level", "baseline")), undefined);
    });

    it("vSphere: the CPI from its official chart (pinned to the Kubernetes minor) and vsphere-csi with a default StorageClass", async () => {
        const run = await runStack("prod-vsphere");
        const release = ofType(run, "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease").map((r) => r.rawInputs as any).find((r) => r.metadata.name === "vsphere-cpi");
        assert.deepStrictEqual([release.metadata.namespace, release.spec.chart.spec.chart, release.spec.chart.spec.version], ["kube-system", "vsphere-cpi", "1.33.0"]);
        const repository = ofType(run, "kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository").map((r) => r.rawInputs as any).find((r) => r.metadata.name === "vsphere-cpi");
        assert.strictEqual(repository.spec.url, "https://kubernetes.github.io/cloud-provider-vsphere");
        const cpi = overrideOf(run, "kube-system/vsphere-cpi-values-override");
        assert.deepStrictEqual([cpi.config.enabled, cpi.config.datacenter], [true, "DC1"]);
        const csi = overrideOf(run, "vmware-system-csi/vsphere-csi-values-override");
        assert.deepStrictEqual(csi.global.config.storageclass, { enabled: true, default: true });
        const [vcenter] = Object.values(csi.global.config.vcenter) as any[];
        assert.deepStrictEqual(vcenter.datacenters, ["DC1"]);
    });

    it("Harvester: cloud provider and CSI driver from the official charts, with a kubeconfig scoped as the Harvester docs require", async () => {
        const run = await runStack("enclave-harvester");
        const releases = ofType(run, "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease").map((r) => r.rawInputs as any);
        for (const [name, version] of [["harvester-cloud-provider", "0.2.15"], ["harvester-csi-driver", "0.1.28"]]) {
            const release = releases.find((r) => r.metadata.name === name);
            assert.deepStrictEqual([release.spec.chart.spec.version, release.spec.chart.spec.sourceRef.name], [version, name], name);
        }
        const binding = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")[0].rawInputs as any;
        assert.deepStrictEqual([binding.roleRef.name, binding.subjects], ["harvesterhci.io:cloudprovider", [{ kind: "ServiceAccount", name: "enclave-cloud-provider", namespace: "enclave" }]]);
        const token = named(run, "kubernetes:core/v1:Secret", "harvester:enclave/enclave-cloud-provider-token");
        assert.strictEqual((token.rawInputs as any).type, "kubernetes.io/service-account-token");
        const harvesterProvider = ofType(run, "pulumi:providers:kubernetes").find((p) => p.name === "enclave-harvester-cloud")!;
        assert.ok(token.options.provider?.includes("enclave-harvester-cloud"), "made in the Harvester cluster");
        assert.strictEqual(harvesterProvider.inputs.kubeconfig, "[secret]");
        const config = named(run, "kubernetes:core/v1:Secret", "kube-system/harvester-cloud-config");
        assert.deepStrictEqual(Object.keys(config.rawInputs.stringData as object).sort(), ["cloud-config", "cloud-provider-config"]);
        assert.strictEqual(config.inputs.stringData, "[secret]");
        assert.deepStrictEqual(overrideOf(run, "kube-system/harvester-csi-driver-values-override").cloudConfig, { secretName: "harvester-cloud-config", hostPath: "" });
        assert.strictEqual(overrideOf(run, "kube-system/harvester-cloud-provider-values-override").global.cattle.clusterName, "enclave");
    });

    it("lets Flux run on nodes the cloud controller has not initialized yet", async () => {
        const run = await runStack("enclave-harvester");
        const operator = ofType(run, "kubernetes:helm.sh/v3:Release")[0].rawInputs as any;
        assert.deepStrictEqual(operator.values.tolerations, [{ key: UNINITIALIZED_TAINT, operator: "Exists", effect: "NoSchedule" }]);
        const instance = ofType(run, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance")[0].rawInputs as any;
        const [patch] = instance.spec.kustomize.patches;
        assert.deepStrictEqual(patch.target, { kind: "Deployment" });
        assert.deepStrictEqual(JSON.parse(patch.patch)[0].value, [{ key: UNINITIALIZED_TAINT, operator: "Exists", effect: "NoSchedule" }]);
    });

    it("existing hosts: no cloud controller, no CSI, nothing tolerated", async () => {
        const { spec } = loadOfflineStack("edge-existing").loaded;
        assert.deepStrictEqual(CLOUD_INTEGRATION.existing, {});
        assert.ok(!spec.enabledServices.some((s) => ["openstack-ccm", "vsphere-cpi", "harvester-cloud-provider"].includes(s.name)));
    });

    it("keeps every cloud credential out of the recorded inputs", async () => {
        const run = await runStack("prod-vsphere");
        const values = strings(run.resources.map((r) => r.inputs));
        assert.ok(!values.some((s) => s.includes("offline-stand-in")), "stand-in secrets appear only as [secret]");
    });
});
