/**
 * Which Kubernetes versions each Kubespray release installs, exactly: the one place this table lives.
 * Validation, the upgrade planner and the inventory renderer all read it from here.
 *
 * A release installs exactly the Kubernetes versions it has kubeadm, kubelet and kubectl checksums for:
 * `kube_version` must be a key of `kubelet_checksums` (roles/kubespray_defaults/defaults/main/main.yml
 * derives its default and `kube_version_min_required` from those keys), so any other patch version
 * fails at download time. Since v2.28 Kubespray writes `kube_version` without the leading "v".
 *
 * Only releases whose checksums were read from the release itself are listed. Kubespray 2.23–2.30 were
 * dropped: their per-release checksums files could not be verified from here, and a guessed list would
 * accept versions a release does not ship. Add a release by reading its checksums.yml (the path is per
 * release, given in `source`) and listing every `kubelet_checksums.amd64` key that kubeadm and kubectl
 * also have.
 */
import * as semver from "semver";

export interface KubesprayRelease {
    /** Every Kubernetes version the release installs, newest first, as in its checksums file. */
    readonly kubernetes: readonly string[];
    /** Whether `kube_version` carries a leading "v" (true before v2.28). */
    readonly versionHasV: boolean;
    /** Where the list comes from. */
    readonly source: string;
}

/** Keyed by the exact Kubespray release. */
export const KUBESPRAY_RELEASES: Readonly<Record<string, KubesprayRelease>> = {
    "2.31.0": {
        // kubelet_checksums.amd64 keys (kubeadm_checksums and kubectl_checksums have the same keys).
        kubernetes: [
            "1.35.4", "1.35.3", "1.35.2", "1.35.1", "1.35.0",
            "1.34.7", "1.34.6", "1.34.5", "1.34.4", "1.34.3", "1.34.2", "1.34.1", "1.34.0",
            "1.33.11", "1.33.10", "1.33.9", "1.33.8", "1.33.7", "1.33.6", "1.33.5", "1.33.4", "1.33.3", "1.33.2", "1.33.1", "1.33.0",
        ],
        versionHasV: false,
        source: "kubernetes-sigs/kubespray v2.31.0 (1c9add48975060f45396b34d8e022c30d7f80dab), roles/kubespray_defaults/vars/main/checksums.yml",
    },
};

export function kubesprayRelease(kubesprayVersion: string): KubesprayRelease | undefined {
    return Object.prototype.hasOwnProperty.call(KUBESPRAY_RELEASES, kubesprayVersion) ? KUBESPRAY_RELEASES[kubesprayVersion] : undefined;
}

export function supportedKubesprayReleases(): string {
    return Object.keys(KUBESPRAY_RELEASES).join(", ");
}

function minors(release: KubesprayRelease): number[] {
    return [...new Set(release.kubernetes.map((v) => semver.minor(v)))].sort((a, b) => a - b);
}

/** Human description of the Kubernetes minors a Kubespray release installs, e.g. "1.33.x to 1.35.x". */
export function describeSupportedKubernetes(release: KubesprayRelease): string {
    const list = minors(release);
    return `1.${list[0]}.x to 1.${list[list.length - 1]}.x`;
}

/** Every version a release ships, by minor: "1.35.0–1.35.4, 1.34.0–1.34.7, …" (each minor's versions are consecutive). */
export function describeShippedKubernetes(release: KubesprayRelease): string {
    return minors(release).reverse().map((minor) => {
        const patches = release.kubernetes.filter((v) => semver.minor(v) === minor).map((v) => semver.patch(v)).sort((a, b) => a - b);
        const consecutive = patches.every((p, i) => i === 0 || p === patches[i - 1] + 1);
        return consecutive && patches.length > 1 ? `1.${minor}.${patches[0]}–1.${minor}.${patches[patches.length - 1]}` : patches.map((p) => `1.${minor}.${p}`).join(", ");
    }).join(", ");
}

/** Whether a release installs a Kubernetes minor at all (for the minor-range message). */
export function releaseHasMinor(release: KubesprayRelease, kubernetesVersion: string): boolean {
    const parsed = semver.parse(kubernetesVersion);
    return parsed !== null && parsed.major === 1 && minors(release).includes(parsed.minor);
}

/** The `kube_version` value in the form the given Kubespray release expects. */
export function kubesprayKubeVersion(kubesprayVersion: string, kubernetesVersion: string): string {
    const release = kubesprayRelease(kubesprayVersion);
    return release?.versionHasV ? `v${kubernetesVersion}` : kubernetesVersion;
}
