/**
 * The longest chain of dependent operations on Day 1, computed on the plan's dependency graph.
 *
 * What the real engine waits for before creating a resource: every resource in its `dependencies`
 * (explicit dependsOn and inputs that came from other resources), its parent when the parent is a
 * custom resource (the child's registration needs the parent's URN, which the engine answers after the
 * create), and its explicit provider. Component resources create nothing: a dependency on a component
 * means every custom resource below it. With no limit on parallel operations Day 1 takes the longest
 * weighted path through this graph; with at most P at once (`pulumi up --parallel P`, `PULUMI_PARALLEL`;
 * the CLI's own default is 4 × its CPUs since pulumi/pulumi#15016, pulumi/actions passes 2147483647
 * unless told otherwise) it takes what `schedule` simulates.
 *
 * Pure: no Pulumi, no project imports (only heap-js from node_modules), so bench/chain.ts can run it
 * against any commit's program.
 */
import { Heap } from "heap-js";

/** What this module needs of a recorded resource (offline/harness.ts RecordedResource). */
export interface ChainResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    readonly dependencies: readonly string[];
    readonly options?: { readonly provider?: string };
    readonly inputs?: Record<string, unknown>;
}

/** Resource types that create a machine. */
export const VM_TYPES: readonly string[] = [
    "openstack:compute/instance:Instance",
    "vsphere:index/virtualMachine:VirtualMachine",
    "kubernetes:kubevirt.io/v1:VirtualMachine",
];

export const isVm = (r: ChainResource) => VM_TYPES.includes(r.type);

export type Category = "vm" | "kubespray" | "runner" | "kubernetes" | "cloud" | "other";

export interface Estimate {
    readonly seconds: number;
    readonly category: Category;
}

/** Per custom resource, the custom resources the engine creates before it. */
export function predecessors(resources: readonly ChainResource[]): Map<string, string[]> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of resources) {
        if (r.parent) {
            children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
        }
    }
    const customBelow = (urn: string): string[] => {
        const out: string[] = [];
        const stack = [...(children.get(urn) ?? [])];
        while (stack.length) {
            const next = stack.pop()!;
            if (byUrn.get(next)?.custom) {
                out.push(next);
            }
            stack.push(...(children.get(next) ?? []));
        }
        return out;
    };
    const expand = (urn: string): string[] => {
        const r = byUrn.get(urn);
        if (!r) {
            return [];
        }
        return r.custom ? [urn] : customBelow(urn);
    };
    const result = new Map<string, string[]>();
    for (const r of resources) {
        if (!r.custom) {
            continue;
        }
        const before = new Set<string>();
        for (const d of r.dependencies) {
            expand(d).forEach((u) => before.add(u));
        }
        if (r.parent && byUrn.get(r.parent)?.custom) {
            before.add(r.parent);
        }
        const provider = r.options?.provider?.split("::").slice(0, -1).join("::");
        if (provider && byUrn.has(provider)) {
            before.add(provider);
        }
        before.delete(r.urn);
        result.set(r.urn, [...before]);
    }
    return result;
}

export interface Path {
    readonly total: number;
    readonly path: readonly ChainResource[];
}

/** The path with the largest total weight (weights of custom resources; a DAG). */
export function longestPath(resources: readonly ChainResource[], weight: (r: ChainResource) => number): Path {
    const preds = predecessors(resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // Kahn's order over custom resources.
    const indegree = new Map<string, number>();
    const successors = new Map<string, string[]>();
    for (const [urn, before] of preds) {
        indegree.set(urn, before.length);
        for (const b of before) {
            successors.set(b, [...(successors.get(b) ?? []), urn]);
        }
    }
    const ready = [...indegree].filter(([, n]) => n === 0).map(([u]) => u);
    const best = new Map<string, { total: number; from?: string }>();
    let visited = 0;
    while (ready.length) {
        const urn = ready.pop()!;
        visited++;
        const own = weight(byUrn.get(urn)!);
        let from: string | undefined;
        let start = 0;
        for (const b of preds.get(urn)!) {
            const candidate = best.get(b)!.total;
            if (from === undefined || candidate > start) {
                start = candidate;
                from = b;
            }
        }
        best.set(urn, { total: start + own, from });
        for (const s of successors.get(urn) ?? []) {
            const left = indegree.get(s)! - 1;
            indegree.set(s, left);
            if (left === 0) {
                ready.push(s);
            }
        }
    }
    if (visited !== preds.size) {
        throw new Error("the dependency graph has a cycle");
    }
    let end: string | undefined;
    for (const [urn, b] of best) {
        if (end === undefined || b.total > best.get(end)!.total) {
            end = urn;
        }
    }
    const path: ChainResource[] = [];
    for (let at = end; at !== undefined; at = best.get(at)!.from) {
        path.unshift(byUrn.get(at)!);
    }
    return { total: end === undefined ? 0 : best.get(end)!.total, path };
}

export interface Schedule {
    /** When the last operation ends, seconds. */
    readonly seconds: number;
    /** Most operations in flight at one moment. */
    readonly peakInFlight: number;
}

/**
 * List scheduling of the same weighted graph with at most `parallel` operations at once (undefined: no
 * limit, which gives the longest path): an operation is ready when every predecessor has finished, and
 * ready operations start first-come first-served (ties in the order of `resources`) whenever a slot is
 * free, as the engine's step executor takes registrations in the order they arrive. The engine does not
 * hold a slot for a resource that waits for its dependencies (the SDK registers it only once they are
 * done), so only running operations count.
 */
export function schedule(resources: readonly ChainResource[], weight: (r: ChainResource) => number, parallel?: number): Schedule {
    const preds = predecessors(resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const order = new Map(resources.map((r, i) => [r.urn, i]));
    const waiting = new Map<string, number>();
    const successors = new Map<string, string[]>();
    for (const [urn, before] of preds) {
        waiting.set(urn, before.length);
        for (const b of before) {
            successors.set(b, [...(successors.get(b) ?? []), urn]);
        }
    }
    const byOrder = (a: string, b: string) => order.get(a)! - order.get(b)!;
    // Ready operations, first-come first-served: each time step's newly ready ones appended in resource order.
    const ready: string[] = [...waiting].filter(([, n]) => n === 0).map(([u]) => u).sort(byOrder);
    let head = 0;
    const running = new Heap<{ urn: string; end: number }>((a, b) => a.end - b.end);
    const limit = parallel ?? Number.POSITIVE_INFINITY;
    let now = 0;
    let peakInFlight = 0;
    let finished = 0;
    for (;;) {
        while (head < ready.length && running.length < limit) {
            const urn = ready[head++];
            running.push({ urn, end: now + weight(byUrn.get(urn)!) });
        }
        peakInFlight = Math.max(peakInFlight, running.length);
        const first = running.peek();
        if (!first) break;
        now = first.end;
        const released: string[] = [];
        while (running.peek() && running.peek()!.end <= now) {
            const done = running.pop()!;
            finished++;
            for (const s of successors.get(done.urn) ?? []) {
                const left = waiting.get(s)! - 1;
                waiting.set(s, left);
                if (left === 0) released.push(s);
            }
        }
        ready.push(...released.sort(byOrder));
    }
    if (finished !== preds.size) {
        throw new Error("the dependency graph has a cycle");
    }
    return { seconds: now, peakInFlight };
}

export interface CostContext {
    readonly provider: string;
    /** Nodes Kubespray installs on Day 1. */
    readonly nodes: number;
    /** Start of one Kubespray runner command that has nothing to do (bench/startup.ts measures it). */
    readonly runnerStartSeconds: number;
    /** Limits on operations at once to simulate besides the unbounded longest path (`schedule`). @default [] */
    readonly parallelLimits?: readonly number[];
}

/**
 * `cluster.yml` on Day 1 for n nodes, seconds: piecewise linear through the times reported in
 * kubernetes-sigs/kubespray#996 (6 nodes: 19 min) and #478 (50 nodes: 35 min, 150: 65 min, 350: 3 h
 * 40 min), extrapolated from the last segment beyond 350 nodes. Old releases on other hardware: an
 * order of magnitude, not a prediction.
 */
export function clusterYmlSeconds(nodes: number): number {
    const points: [number, number][] = [[6, 19 * 60], [50, 35 * 60], [150, 65 * 60], [350, 220 * 60]];
    let i = 0;
    while (i < points.length - 2 && nodes > points[i + 1][0]) {
        i++;
    }
    const [[x0, y0], [x1, y1]] = [points[i], points[i + 1]];
    return Math.max(y0, y0 + ((nodes - x0) * (y1 - y0)) / (x1 - x0));
}

/**
 * Guest boot and cloud-init after the provider reports the machine created, paid by the install's
 * "check SSH reachability" and "wait for cloud-init" steps (components/kubespray/planner.ts planCluster).
 */
export const BOOT_AFTER_CREATE_SECONDS: Readonly<Record<string, number>> = {
    // ACTIVE means the hypervisor started the VM; Ubuntu boots and runs cloud-init after that.
    openstack: 90,
    // The provider already waited for the guest's network (VMware tools report an IP): cloud-init remains.
    vsphere: 60,
    // The VirtualMachine object is accepted at once; the image volume is cloned, the VM boots and runs cloud-init.
    harvester: 150,
    existing: 0,
};

/**
 * Estimated Day-1 create time of one resource, seconds. Sources (see bench/README.md):
 * - OpenStack server until ACTIVE: 60 s. OpenStack's performance docs measure boot-and-delete of a
 *   cirros m1.tiny at a median of 8.6 s (Rally NovaServers.boot_and_delete_server baseline); an Ubuntu
 *   image on a boot volume adds the image copy. Assumption.
 * - vSphere VM: 180 s: clone, power-on, and terraform-provider-vsphere's wait for a routable guest IP
 *   (wait_for_guest_net_timeout, default 5 min; vmware/terraform-provider-vsphere#976 shows creates
 *   past 3 min).
 * - Harvester (KubeVirt) VirtualMachine: 1 s: pulumi-kubernetes does not await custom resources without
 *   `pulumi.com/waitFor` (pulumi/pulumi-kubernetes#3143), so the boot continues in the background.
 * - Kubespray commands with nothing to do on Day 1 (gate, ready, ssh-keys, workers): one runner start;
 *   a command without a `create` (the barrier of a worker batch) starts nothing: 0 s.
 * - prepare: 180 s (clone Kubespray, python venv, pip install of its requirements). Assumption.
 * - cluster: guest boot and cloud-init of the last machine, then cluster.yml (clusterYmlSeconds).
 * - kubeconfig: 10 s (one Ansible ad-hoc command).
 * - Helm release: 60 s (Pulumi's Helm Release waits for its resources); a Kubernetes object with
 *   `pulumi.com/waitFor`: 120 s (Flux installed and Ready); other Kubernetes objects: 1 s.
 * - OpenStack load balancer: 120 s (Octavia boots an amphora VM); other cloud resources: 3 s.
 */
export function costModel(context: CostContext): (r: ChainResource) => Estimate {
    return (r) => {
        if (!r.custom) {
            return { seconds: 0, category: "other" };
        }
        switch (r.type) {
            case "openstack:compute/instance:Instance":
                return { seconds: 60, category: "vm" };
            case "vsphere:index/virtualMachine:VirtualMachine":
                return { seconds: 180, category: "vm" };
            case "kubernetes:kubevirt.io/v1:VirtualMachine":
                return { seconds: 1, category: "vm" };
            case "openstack:loadbalancer/loadBalancer:LoadBalancer":
                return { seconds: 120, category: "cloud" };
            case "tls:index/privateKey:PrivateKey":
                return { seconds: 0.1, category: "other" };
            case "kubernetes:helm.sh/v3:Release":
                return { seconds: 60, category: "kubernetes" };
            case "command:local:Command":
                return commandEstimate(r, context);
        }
        if (r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers:")) {
            const annotations = (r.inputs?.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
            return { seconds: annotations?.["pulumi.com/waitFor"] ? 120 : 1, category: "kubernetes" };
        }
        return { seconds: 3, category: "cloud" };
    };
}

function commandEstimate(r: ChainResource, context: CostContext): Estimate {
    const name = r.name;
    if (name.endsWith("-prepare")) {
        return { seconds: 180, category: "kubespray" };
    }
    if (name.endsWith("-cluster")) {
        return { seconds: (BOOT_AFTER_CREATE_SECONDS[context.provider] ?? 0) + clusterYmlSeconds(context.nodes), category: "kubespray" };
    }
    if (name.endsWith("-kubeconfig")) {
        return { seconds: 10, category: "kubespray" };
    }
    if (name.endsWith("-created-at")) {
        return { seconds: 0.1, category: "other" };
    }
    if (r.inputs && !("create" in r.inputs)) {
        // A command with nothing to run (the rollout's barrier per worker batch): it only orders.
        return { seconds: 0, category: "other" };
    }
    return { seconds: context.runnerStartSeconds, category: "runner" };
}

export interface ChainReport {
    readonly resources: number;
    readonly vms: number;
    /** Most VM creations on one chain (each waits for the one before). */
    readonly vmCreationsInSequence: number;
    /** The longest chain by estimated seconds. */
    readonly seconds: number;
    readonly secondsByCategory: Readonly<Record<Category, number>>;
    readonly vmsOnSlowestChain: number;
    /** The first and last few steps of the slowest chain, for the report. */
    readonly slowestChain: readonly string[];
    /** Day 1 with at most `parallel` operations at once (list scheduling of the same graph and estimates). */
    readonly scheduled?: readonly { readonly parallel: number; readonly seconds: number; readonly peakInFlight: number }[];
}

export function chainReport(resources: readonly ChainResource[], context: CostContext): ChainReport {
    const cost = costModel(context);
    const vmChain = longestPath(resources, (r) => (isVm(r) ? 1 : 0));
    const slowest = longestPath(resources, (r) => cost(r).seconds);
    const secondsByCategory: Record<Category, number> = { vm: 0, kubespray: 0, runner: 0, kubernetes: 0, cloud: 0, other: 0 };
    for (const r of slowest.path) {
        const e = cost(r);
        secondsByCategory[e.category] += e.seconds;
    }
    const names = slowest.path.map((r) => r.name);
    return {
        resources: resources.length,
        vms: resources.filter(isVm).length,
        vmCreationsInSequence: vmChain.total,
        seconds: Math.round(slowest.total),
        secondsByCategory: Object.fromEntries(Object.entries(secondsByCategory).map(([k, v]) => [k, Math.round(v)])) as Record<Category, number>,
        vmsOnSlowestChain: slowest.path.filter(isVm).length,
        slowestChain: names.length > 8 ? [...names.slice(0, 4), `… ${names.length - 8} more …`, ...names.slice(-4)] : names,
        scheduled: (context.parallelLimits ?? []).map((parallel) => {
            const s = schedule(resources, (r) => cost(r).seconds, parallel);
            return { parallel, seconds: Math.round(s.seconds), peakInFlight: s.peakInFlight };
        }),
    };
}

// ---------------------------------------------------------------------------------------------------
// Day 2: the runs of a rollout, one after another under the cluster lock (bench/rollout.ts)

/**
 * Ansible's default `forks` (5): Kubespray's ansible.cfg sets none (docs/operations/large-deployments.md
 * only advises tuning it) and the runner passes none, so a play touches 5 hosts at a time.
 */
export const ANSIBLE_DEFAULT_FORKS = 5;

/**
 * `playbooks/facts.yml` (boilerplate, then internal_facts.yml: the bootstrap_os role and three `setup`
 * calls on k8s_cluster:etcd:calico_rr) over `hosts` hosts, seconds: about 10 task executions of about 1 s
 * per host, `ANSIBLE_DEFAULT_FORKS` hosts at a time, so 2 s per host, at least 30 s. Assumption.
 */
export function factsSeconds(hosts: number): number {
    return Math.max(30, (hosts * 10) / ANSIBLE_DEFAULT_FORKS);
}

/** `reset` role and post-remove on one removed node (remove-node.yml after its facts), seconds. Assumption. */
export const RESET_ONE_NODE_SECONDS = 300;
/** One Ansible ad-hoc command (kubectl on a control-plane node, a reachability check): as `kubeconfig` above. */
export const AD_HOC_SECONDS = 10;
/** Evicting a worker's pods (bounded by operations.drain.timeoutSeconds, default 360 s). Assumption. */
export const DRAIN_SECONDS = 60;
/** kubelet Ready after a join, beyond the ad-hoc check. Assumption. */
export const READY_AFTER_JOIN_SECONDS = 30;
/** Deleting the old machine before the new one is created (same name and address). Assumption. */
export const VM_DELETE_SECONDS = 10;

/** What a Day-2 estimate needs of a runner step (components/kubespray/planner.ts `Step`). */
export interface Day2Step {
    readonly kind: string;
    readonly playbook?: string;
    /** Hosts the step acts on (`--limit`, `node=`; all hosts without either). */
    readonly actsOn: number;
}

/**
 * One runner step on Day 2, seconds, with `inventoryHosts` hosts in the cluster:
 * - facts.yml: `factsSeconds(inventoryHosts)` (no --limit: every host);
 * - remove-node.yml: its internal_facts.yml over every host (the run has no --limit), then
 *   `RESET_ONE_NODE_SECONDS` per removed node;
 * - scale.yml, cluster.yml, upgrade-cluster.yml limited to k hosts: `clusterYmlSeconds(k)`, the install
 *   estimate above for that many hosts (at least its 6-node figure);
 * - drain: one ad-hoc command plus `DRAIN_SECONDS`; wait-ready: one plus `READY_AFTER_JOIN_SECONDS`;
 * - forget-host-key: 1 s (ssh-keygen -R on this machine); every other step: one ad-hoc command.
 */
export function day2StepSeconds(step: Day2Step, inventoryHosts: number): number {
    if (step.kind === "playbook") {
        switch (step.playbook) {
            case "playbooks/facts.yml":
                return factsSeconds(inventoryHosts);
            case "remove-node.yml":
                return factsSeconds(inventoryHosts) + RESET_ONE_NODE_SECONDS * step.actsOn;
            default:
                return clusterYmlSeconds(step.actsOn);
        }
    }
    switch (step.kind) {
        case "drain":
            return AD_HOC_SECONDS + DRAIN_SECONDS;
        case "wait-ready":
            return AD_HOC_SECONDS + READY_AFTER_JOIN_SECONDS;
        case "forget-host-key":
            return 1;
        default:
            return AD_HOC_SECONDS;
    }
}

/** Recreating one machine outside the lock: delete, create (the Day-1 estimate), guest boot and cloud-init. */
export function machineReplaceSeconds(provider: string): number {
    const create = { openstack: 60, vsphere: 180, harvester: 1 }[provider] ?? 0;
    return VM_DELETE_SECONDS + create + (BOOT_AFTER_CREATE_SECONDS[provider] ?? 0);
}
