/** Every policy of the pack, one file each; names are Kyverno's where Kyverno has the rule. */
import type { Rule } from "../lib/types";
import chartVersionsPinned from "./chart-versions-pinned";
import controlPlaneAntiAffinity from "./control-plane-anti-affinity";
import controlPlaneCount from "./control-plane-count";
import disallowCapabilities from "./disallow-capabilities";
import disallowCapabilitiesStrict from "./disallow-capabilities-strict";
import disallowContainerSockMounts from "./disallow-container-sock-mounts";
import disallowDefaultNamespace from "./disallow-default-namespace";
import disallowEmptyIngressHost from "./disallow-empty-ingress-host";
import disallowHostNamespaces from "./disallow-host-namespaces";
import disallowHostPath from "./disallow-host-path";
import disallowHostPorts from "./disallow-host-ports";
import disallowHostPortsRange from "./disallow-host-ports-range";
import disallowHostProcess from "./disallow-host-process";
import disallowLatestTag from "./disallow-latest-tag";
import disallowPrivilegeEscalation from "./disallow-privilege-escalation";
import disallowPrivilegedContainers from "./disallow-privileged-containers";
import disallowProcMount from "./disallow-proc-mount";
import disallowSelinux from "./disallow-selinux";
import dropAllCapabilities from "./drop-all-capabilities";
import etcdQuorum from "./etcd-quorum";
import gitrepositoryRefPinned from "./gitrepository-ref-pinned";
import keyRotationDue from "./key-rotation-due";
import keyRotationOverdue from "./key-rotation-overdue";
import networkOverlap from "./network-overlap";
import noSecretsInConfigmapsOrCommands from "./no-secrets-in-configmaps-or-commands";
import oneApiEndpoint from "./one-api-endpoint";
import requireLabels from "./require-labels";
import requirePodProbes from "./require-pod-probes";
import requireRequestsLimits from "./require-requests-limits";
import requireRoRootfs from "./require-ro-rootfs";
import requireRunAsNonRootUser from "./require-run-as-non-root-user";
import requireRunAsNonroot from "./require-run-as-nonroot";
import restrictApparmorProfiles from "./restrict-apparmor-profiles";
import restrictExternalIps from "./restrict-external-ips";
import restrictImageRegistries from "./restrict-image-registries";
import restrictNodeport from "./restrict-nodeport";
import restrictSeccomp from "./restrict-seccomp";
import restrictSeccompStrict from "./restrict-seccomp-strict";
import restrictSysctls from "./restrict-sysctls";
import restrictVolumeTypes from "./restrict-volume-types";
import sopsDecryption from "./sops-decryption";
import sshApiNotOpenToWorld from "./ssh-api-not-open-to-world";
import versionsPinned from "./versions-pinned";

export const RULES: readonly Rule[] = [
    chartVersionsPinned,
    controlPlaneAntiAffinity,
    controlPlaneCount,
    disallowCapabilities,
    disallowCapabilitiesStrict,
    disallowContainerSockMounts,
    disallowDefaultNamespace,
    disallowEmptyIngressHost,
    disallowHostNamespaces,
    disallowHostPath,
    disallowHostPorts,
    disallowHostPortsRange,
    disallowHostProcess,
    disallowLatestTag,
    disallowPrivilegeEscalation,
    disallowPrivilegedContainers,
    disallowProcMount,
    disallowSelinux,
    dropAllCapabilities,
    etcdQuorum,
    gitrepositoryRefPinned,
    keyRotationDue,
    keyRotationOverdue,
    networkOverlap,
    noSecretsInConfigmapsOrCommands,
    oneApiEndpoint,
    requireLabels,
    requirePodProbes,
    requireRequestsLimits,
    requireRoRootfs,
    requireRunAsNonRootUser,
    requireRunAsNonroot,
    restrictApparmorProfiles,
    restrictExternalIps,
    restrictImageRegistries,
    restrictNodeport,
    restrictSeccomp,
    restrictSeccompStrict,
    restrictSysctls,
    restrictVolumeTypes,
    sopsDecryption,
    sshApiNotOpenToWorld,
    versionsPinned,
];
