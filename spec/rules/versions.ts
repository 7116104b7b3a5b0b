/** Kubernetes, Kubespray and network-plugin versions that work together. */
import * as semver from "semver";
import { describeShippedKubernetes, describeSupportedKubernetes, kubesprayRelease, releaseHasMinor, supportedKubesprayReleases } from "../versions";
import type { RuleContext } from "./context";

/** The Kubespray release is one the program knows, and it ships exactly the Kubernetes version asked for. */
export function kubernetesFitsKubespray(ctx: RuleContext): void {
    const { kubespray, kubernetes } = ctx.config;
    const release = kubesprayRelease(kubespray.version);
    if (!release) {
        ctx.error("kubespray.version", `${kubespray.version} is not a Kubespray release this program knows; allowed: ${supportedKubesprayReleases()}`);
        return;
    }
    if (!semver.parse(kubernetes.version)) {
        return; // the schema reports it
    }
    if (!releaseHasMinor(release, kubernetes.version)) {
        ctx.error("kubernetes.version", `${kubernetes.version} is not installable by Kubespray ${kubespray.version} (kubespray.version); allowed: ${describeSupportedKubernetes(release)}`);
    } else if (!release.kubernetes.includes(kubernetes.version)) {
        ctx.error("kubernetes.version", `${kubernetes.version} is not shipped by Kubespray ${kubespray.version} (kubespray.version), which has checksums for exactly: ${describeShippedKubernetes(release)}`);
    }
}

const MODES: Record<string, readonly string[]> = {
    calico: ["vxlan", "ipip", "none"],
    cilium: ["vxlan", "geneve", "native"],
    "kube-ovn": ["geneve", "vxlan"],
};

export function networkModeFitsPlugin(ctx: RuleContext): void {
    const { plugin, mode } = ctx.config.kubernetes.network;
    if (mode !== undefined && !MODES[plugin].includes(mode)) {
        ctx.error("kubernetes.network.mode", `"${mode}" is not a mode of ${plugin} (kubernetes.network.plugin); allowed: ${MODES[plugin].join(", ")}`);
    }
}

export function defaultNetworkMode(plugin: string): "geneve" | "vxlan" {
    return plugin === "kube-ovn" ? "geneve" : "vxlan";
}

export function oidcIsComplete(ctx: RuleContext): void {
    const oidc = ctx.config.kubernetes.oidc;
    if (!oidc.enabled) {
        return;
    }
    if (!oidc.issuerUrl) {
        ctx.error("kubernetes.oidc.issuerUrl", "is required when kubernetes.oidc.enabled is true");
    }
    if (!oidc.clientId) {
        ctx.error("kubernetes.oidc.clientId", "is required when kubernetes.oidc.enabled is true");
    }
}
