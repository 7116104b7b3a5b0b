/** Kubernetes, Kubespray and network-plugin versions that work together. */
import * as semver from "semver";
import { describeSupportedKubernetes, kubesprayRelease, supportedKubesprayLines } from "../versions";
import type { RuleContext } from "./context";

export function kubernetesFitsKubespray(ctx: RuleContext): void {
    const { kubespray, kubernetes } = ctx.config;
    const release = kubesprayRelease(kubespray.version);
    if (!release) {
        ctx.error("kubespray.version", `${kubespray.version} is not a Kubespray release this program knows; allowed: ${supportedKubesprayLines()}`);
        return;
    }
    const k8s = semver.parse(kubernetes.version);
    if (!k8s) {
        return; // the schema reports it
    }
    if (k8s.major !== 1 || k8s.minor < release.minMinor || k8s.minor > release.maxMinor) {
        ctx.error("kubernetes.version", `${kubernetes.version} is not installable by Kubespray ${kubespray.version} (kubespray.version); allowed: ${describeSupportedKubernetes(release)}`);
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
