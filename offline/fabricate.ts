/**
 * Realistic, deterministic outputs for what the cloud would return: IDs, floating IPs, key pairs,
 * command output. Derived from the resource name, never from a clock or a random source, so two
 * offline runs of the same stack are byte-identical.
 */
import { createHash, createPrivateKey, createPublicKey } from "crypto";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";

export function digest(text: string, length = 12): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** A documentation-range address (198.51.100.0/24), stable per name. */
function floatingAddress(name: string): string {
    return `198.51.100.${(parseInt(digest(name, 4), 16) % 250) + 2}`;
}

/**
 * What the offline "cloud" and "state" hold beyond the stack file, for tests that replay Day-2 events:
 * - `lookupRevision`: salts the IDs that lookups by name return (an image re-published, a template
 *   re-imported under the same name); "" is the original;
 * - `priorStashes`: the recorded state of `pulumi.Stash` resources by resource name, as a previous
 *   `pulumi up` left it. A Stash keeps the first value it was given (its `output`) until it is replaced;
 *   the program replaces a machine's pins when the machine's identity changes, which the pins record
 *   as `identity`, so the mock returns the prior output while that identity is unchanged, as the engine would.
 * Reset with resetOfflineWorld(); the defaults give every run the same, fresh world.
 */
export const offlineWorld: { lookupRevision: string; priorStashes: Map<string, unknown> } = {
    lookupRevision: "",
    priorStashes: new Map(),
};

export function resetOfflineWorld(): void {
    offlineWorld.lookupRevision = "";
    offlineWorld.priorStashes = new Map();
}

/** The value a Stash resolves to: the prior one while the pinned identity is unchanged, else its input. */
function stashOutput(name: string, input: unknown): unknown {
    const prior = offlineWorld.priorStashes.get(name) as { identity?: unknown } | undefined;
    const current = input as { identity?: unknown } | undefined;
    return prior !== undefined && prior.identity === current?.identity ? prior : input;
}

const revised = (name: unknown) => `${String(name)}${offlineWorld.lookupRevision ? `@${offlineWorld.lookupRevision}` : ""}`;

export function fakeId(type: string, name: string): string {
    const h = digest(`${type}/${name}`, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function fabricateState(args: MockResourceArgs): Record<string, unknown> {
    const { type, name, inputs } = args;
    switch (type) {
        case "openstack:networking/floatingIp:FloatingIp":
            return { address: floatingAddress(name) };
        case "openstack:loadbalancer/loadBalancer:LoadBalancer":
            return { vipPortId: fakeId("port", `${name}-vip`), vipAddress: inputs.vipAddress ?? "10.0.0.250" };
        case "tls:index/privateKey:PrivateKey":
            return ed25519Key(name);
        case "command:local:Command":
            return { stdout: fabricatedStdout(name, inputs), stderr: "" };
        case "vsphere:index/virtualMachine:VirtualMachine":
            return { moid: `vm-${parseInt(digest(name, 4), 16)}`, uuid: fakeId(type, name), defaultIpAddress: "", powerState: "on" };
        case "vsphere:index/folder:Folder":
            return {};
        case "pulumi:index:Stash":
            return { output: stashOutput(name, inputs.input) };
        default:
            return {};
    }
}

/**
 * A real ED25519 key whose seed is derived from the resource name: deterministic, valid for every
 * tool that reads it (the age identity is derived from it), and obviously not anyone's real key.
 */
function ed25519Key(name: string): Record<string, string> {
    const seed = createHash("sha256").update(`offline-key/${name}`).digest();
    const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
    const publicDer = createPublicKey(privateKey).export({ format: "der", type: "spki" });
    const raw = publicDer.subarray(publicDer.length - 32);
    const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
    const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64");
    return {
        privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
        privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\noffline-fabricated-${digest(name, 40)}\n-----END OPENSSH PRIVATE KEY-----\n`,
        publicKeyOpenssh: `ssh-ed25519 ${blob}\n`,
        publicKeyFingerprintSha256: `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`,
    };
}

/**
 * What our commands print: the kubeconfig step prints a kubeconfig, stamp steps a fixed time, and every
 * other Kubespray runner command its desired state once it succeeded (runner/main.ts), as the real one does.
 */
function fabricatedStdout(name: string, inputs: Record<string, unknown>): string {
    if (name.endsWith("-kubeconfig")) {
        return [
            "apiVersion: v1", "kind: Config", "clusters:",
            "- cluster: {certificate-authority-data: b2ZmbGluZQ==, server: 'https://api.offline:6443'}", "  name: offline",
            "contexts:", "- context: {cluster: offline, user: admin}", "  name: admin", "current-context: admin",
            "users:", "- name: admin", "  user: {client-certificate-data: b2ZmbGluZQ==, client-key-data: b2ZmbGluZQ==}", "",
        ].join("\n");
    }
    if (name.includes("-created-at")) {
        return "2026-01-01T00:00:00Z";
    }
    const desired = (inputs.environment as Record<string, unknown> | undefined)?.KUBESPRAY_DESIRED;
    return typeof desired === "string" ? desired : "";
}

export function fabricateCall(args: MockCallArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, unknown>;
    switch (args.token) {
        case "openstack:images/getImage:getImage":
            return { id: fakeId("image", revised(inputs.name)), name: inputs.name };
        case "vsphere:index/getDatacenter:getDatacenter":
            return { id: `datacenter-${digest(String(inputs.name), 4)}`, name: inputs.name };
        case "vsphere:index/getComputeCluster:getComputeCluster":
            return { id: `domain-c${parseInt(digest(String(inputs.name), 3), 16)}`, resourcePoolId: `resgroup-${digest(String(inputs.name), 4)}`, name: inputs.name };
        case "vsphere:index/getDatastore:getDatastore":
            return { id: `datastore-${digest(String(inputs.name), 4)}`, name: inputs.name };
        case "vsphere:index/getResourcePool:getResourcePool":
            return { id: `resgroup-${digest(String(inputs.name), 4)}`, name: inputs.name };
        case "vsphere:index/getNetwork:getNetwork":
            return { id: `dvportgroup-${digest(String(inputs.name), 4)}`, name: inputs.name, type: "DistributedVirtualPortgroup" };
        case "vsphere:index/getVirtualMachine:getVirtualMachine":
            return {
                id: fakeId("template", revised(inputs.name)), name: inputs.name, guestId: "ubuntu64Guest", scsiType: "pvscsi",
                firmware: "efi", networkInterfaceTypes: ["vmxnet3"],
                disks: [{ label: "disk0", size: 20, thinProvisioned: true, eagerlyScrub: false, unitNumber: 0 }],
            };
        default:
            return {};
    }
}
