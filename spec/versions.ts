/**
 * Which Kubernetes minors each Kubespray release can install. The one place this table lives:
 * validation, the upgrade planner and the inventory renderer all read it from here.
 *
 * Facts: each release's `kube_version_min_required` and the kubelet/kubeadm checksum keys in
 * `roles/download/defaults/main/checksums.yml` (see shared/reference/peers.md §1.1). Since v2.28
 * Kubespray writes `kube_version` without the leading "v".
 */
import * as semver from "semver";

export interface KubesprayRelease {
    /** Lowest Kubernetes minor the release installs, e.g. 25 for 1.25. */
    readonly minMinor: number;
    /** Highest Kubernetes minor the release installs. */
    readonly maxMinor: number;
    /** Whether `kube_version` carries a leading "v" (true before v2.28). */
    readonly versionHasV: boolean;
}

/** Keyed by Kubespray "major.minor". */
export const KUBESPRAY_RELEASES: Readonly<Record<string, KubesprayRelease>> = {
    "2.23": { minMinor: 25, maxMinor: 27, versionHasV: true },
    "2.24": { minMinor: 26, maxMinor: 28, versionHasV: true },
    "2.25": { minMinor: 27, maxMinor: 29, versionHasV: true },
    "2.26": { minMinor: 28, maxMinor: 30, versionHasV: true },
    "2.27": { minMinor: 29, maxMinor: 31, versionHasV: true },
    "2.28": { minMinor: 30, maxMinor: 32, versionHasV: false },
    "2.29": { minMinor: 31, maxMinor: 33, versionHasV: false },
    "2.30": { minMinor: 32, maxMinor: 34, versionHasV: false },
    "2.31": { minMinor: 33, maxMinor: 35, versionHasV: false },
};

export function kubesprayRelease(kubesprayVersion: string): KubesprayRelease | undefined {
    const parsed = semver.parse(kubesprayVersion);
    return parsed ? KUBESPRAY_RELEASES[`${parsed.major}.${parsed.minor}`] : undefined;
}

export function supportedKubesprayLines(): string {
    return Object.keys(KUBESPRAY_RELEASES).map((line) => `${line}.x`).join(", ");
}

/** Human description of the Kubernetes versions a Kubespray release accepts, for error messages. */
export function describeSupportedKubernetes(release: KubesprayRelease): string {
    return `1.${release.minMinor}.x to 1.${release.maxMinor}.x`;
}

/** The `kube_version` value in the form the given Kubespray release expects. */
export function kubesprayKubeVersion(kubesprayVersion: string, kubernetesVersion: string): string {
    const release = kubesprayRelease(kubesprayVersion);
    return release?.versionHasV ? `v${kubernetesVersion}` : kubernetesVersion;
}
