/**
 * Defaults that depend on other fields, resolved once, up front, in named helpers; the result is the
 * frozen ClusterSpec every component reads. Nothing downstream re-derives a default.
 */
import { SERVICE_CATALOG, type CatalogService } from "./catalog";
import { gitUrlScheme } from "./formats";
import { enabledServices, gitHost, GITHUB_KNOWN_HOSTS } from "./rules/gitops";
import { defaultNetworkMode } from "./rules/versions";
import type { ClusterConfig, Provider } from "./schema";
import { planNodes, resolveSize, type PlannedNode } from "./topology";

export type ResolvedService = CatalogService & {
    readonly name: string;
    /** Base-repository tag this service's source is pinned to. */
    readonly release: string;
    readonly values: Readonly<Record<string, unknown>>;
    /** Names of the secret values set for it under `secrets.services.<name>` (values stay in LoadedSpec.secrets). */
    readonly secretKeys: readonly string[];
};

type Config = Omit<ClusterConfig, "secrets">;

export interface ClusterSpec extends Omit<Config, "gitops"> {
    readonly kubernetes: Config["kubernetes"] & { readonly network: Config["kubernetes"]["network"] & { readonly mode: NonNullable<Config["kubernetes"]["network"]["mode"]> } };
    readonly infrastructure: Config["infrastructure"] & {
        readonly apiEndpoint: Config["infrastructure"]["apiEndpoint"] & { readonly interface: string };
    };
    readonly kubespray: Config["kubespray"] & { readonly runner: Config["kubespray"]["runner"] & { readonly image: string } };
    readonly gitops?: Omit<NonNullable<Config["gitops"]>, "repository" | "auth"> & {
        readonly repository: NonNullable<Config["gitops"]>["repository"] & { readonly path: string };
        readonly auth: Omit<NonNullable<Config["gitops"]>["auth"], "method" | "knownHosts"> & { readonly method: "token" | "ssh"; readonly knownHosts: readonly string[] };
    };
    /** Every node, control plane first (see spec/topology.ts for the identity rules). */
    readonly nodes: readonly PlannedNode[];
    /** Enabled services only, sorted by name. */
    readonly enabledServices: readonly ResolvedService[];
    /** Names of the secret values present (never their values). */
    readonly secretKeys: readonly string[];
}

/** kube-vip's interface when the stack does not name one: the first NIC of each provider's usual image. */
function defaultApiInterface(provider: Provider, config: ClusterConfig): string {
    switch (provider) {
        case "openstack": return "ens3";
        case "vsphere": return "ens192";
        case "harvester": return config.infrastructure.harvester?.guestInterface ?? "enp1s0";
        case "existing": return "eth0";
    }
}

function defaultVsphereFolder(config: ClusterConfig): string {
    return config.meta.name;
}

function resolveServices(config: ClusterConfig): ResolvedService[] {
    const baseRelease = config.gitops?.base.release ?? "";
    return enabledServices(config).map((name) => {
        const setting = config.services[name];
        return {
            name,
            ...SERVICE_CATALOG[name],
            release: setting?.release ?? baseRelease,
            values: setting?.values ?? {},
            secretKeys: Object.keys(config.secrets.services[name] ?? {}).sort(),
        };
    });
}

function presentSecretKeys(config: ClusterConfig): string[] {
    const keys = Object.entries(config.secrets).filter(([key, value]) => key !== "services" && value !== undefined).map(([key]) => key);
    for (const [service, values] of Object.entries(config.secrets.services)) {
        keys.push(...Object.keys(values).map((key) => `services.${service}.${key}`));
    }
    return keys.sort();
}

export function resolveSpec(config: ClusterConfig): ClusterSpec {
    const { secrets: _secrets, ...rest } = config;
    const infra = config.infrastructure;
    const gitops = config.gitops && {
        ...config.gitops,
        repository: { ...config.gitops.repository, path: config.gitops.repository.path ?? `clusters/${config.meta.name}` },
        auth: {
            ...config.gitops.auth,
            method: config.gitops.auth.method ?? (gitUrlScheme(config.gitops.repository.url) === "https" ? "token" as const : "ssh" as const),
            knownHosts: config.gitops.auth.knownHosts ?? (gitHost(config.gitops.repository.url) === "github.com" ? [...GITHUB_KNOWN_HOSTS] : []),
        },
    };
    const spec: ClusterSpec = {
        ...rest,
        kubernetes: {
            ...config.kubernetes,
            network: { ...config.kubernetes.network, mode: config.kubernetes.network.mode ?? defaultNetworkMode(config.kubernetes.network.plugin) },
        },
        infrastructure: {
            ...infra,
            apiEndpoint: { ...infra.apiEndpoint, interface: infra.apiEndpoint.interface ?? defaultApiInterface(infra.provider, config) },
            vsphere: infra.vsphere && { ...infra.vsphere, folder: infra.vsphere.folder ?? defaultVsphereFolder(config) },
        },
        kubespray: {
            ...config.kubespray,
            runner: { ...config.kubespray.runner, image: config.kubespray.runner.image ?? `quay.io/kubespray/kubespray:v${config.kubespray.version}` },
        },
        gitops,
        nodes: planNodes(config),
        enabledServices: resolveServices(config),
        secretKeys: presentSecretKeys(config),
    };
    return deepFreeze(spec);
}

/** Sizes in numbers for a node on vSphere/Harvester (validated to exist). */
export function nodeResources(spec: ClusterSpec, node: PlannedNode): { cpus: number; memoryGiB: number; diskGiB: number } {
    const size = resolveSize(spec as unknown as ClusterConfig, node.size);
    if (!size) {
        throw new Error(`size "${node.size}" of node ${node.name} is not defined`);
    }
    return { ...size, diskGiB: node.diskGiB ?? size.diskGiB };
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const inner of Object.values(value as Record<string, unknown>)) {
            deepFreeze(inner);
        }
    }
    return value;
}
