/**
 * `clusters status --stack <name>`: the health of a live cluster against its stack file, in one table:
 * nodes and their Ready state, etcd, certificate expiry, Flux Kustomizations, key rotation due dates
 * (stack outputs) and the last etcd snapshot. The kubeconfig comes from the stack output `kubeconfig`
 * through the Automation API (or `--kubeconfig <file>`); the cluster is read with @kubernetes/client-node.
 * Without Pulumi or a cluster (or with --offline) it says what it would check and exits 0.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import type { TLSSocket } from "tls";
import { errorText, localStacks, outputValues, PulumiUnavailableError, type StackOpener } from "./automation";
import { EXIT, flag, stringOption, UsageError, type CommandSpec } from "./command";
import { assertStackName } from "./stack-name";
import { loadOfflineStack, STACKS_DIR } from "./stacks";
import { describeChecks, evaluateStatus, needsAPerson, renderStatus, unreachable, type ApiHealthFact, type ClusterReader } from "./status-checks";
import { escapeTerminal, Progress } from "./terminal";

/** Each API call gives up after this long, so an unreachable cluster ends the command instead of hanging it. */
const REQUEST_TIMEOUT_MS = 15_000;

function withTimeout<T>(what: string, promise: Promise<T>, ms = REQUEST_TIMEOUT_MS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
        timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `GET /readyz?verbose` with the kubeconfig's credentials; the TLS peer certificate is the API server's. */
async function readyz(kubeconfig: import("@kubernetes/client-node").KubeConfig): Promise<ApiHealthFact> {
    const server = kubeconfig.getCurrentCluster()?.server;
    if (!server) throw new Error("the kubeconfig has no current cluster");
    const url = new URL("/readyz?verbose", server);
    const options: https.RequestOptions = { method: "GET", timeout: REQUEST_TIMEOUT_MS };
    await kubeconfig.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
        const request = (url.protocol === "https:" ? https : http).request(url, options, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => { body += chunk; });
            response.on("end", () => {
                // Lines like `[+]etcd ok` and `[-]etcd failed: reason withheld` (kube-apiserver healthz).
                const checks = [...body.matchAll(/^\[([+-])\]([^\s]+)/gm)].map((m) => ({ name: m[2], ok: m[1] === "+" }));
                const peer = url.protocol === "https:" ? (response.socket as TLSSocket).getPeerCertificate?.() : undefined;
                resolve({
                    checks,
                    ...(peer && peer.valid_to ? { servingCertificate: { subject: [peer.subject?.CN ?? "serving certificate"].flat().join(","), validTo: new Date(peer.valid_to) } } : {}),
                });
            });
        });
        request.on("timeout", () => request.destroy(new Error(`GET ${url.pathname}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
        request.on("error", reject);
        request.end();
    });
}

/** The real reader: @kubernetes/client-node with the stack's kubeconfig. */
export async function kubernetesReader(kubeconfigText: string): Promise<ClusterReader> {
    const k8s = await import("@kubernetes/client-node");
    const kubeconfig = new k8s.KubeConfig();
    kubeconfig.loadFromString(kubeconfigText);
    const core = kubeconfig.makeApiClient(k8s.CoreV1Api);
    const batch = kubeconfig.makeApiClient(k8s.BatchV1Api);
    const custom = kubeconfig.makeApiClient(k8s.CustomObjectsApi);
    const condition = (conditions: { type?: string; status?: string; reason?: string; message?: string }[] | undefined, type: string) =>
        conditions?.find((c) => c.type === type);
    return {
        nodes: async () => (await withTimeout("list nodes", core.listNode())).items.map((node) => {
            const ready = condition(node.status?.conditions, "Ready");
            return { name: node.metadata?.name ?? "", ready: ready?.status === "True", reason: ready?.status === "True" ? undefined : ready?.message ?? ready?.reason, unschedulable: node.spec?.unschedulable ?? false };
        }),
        apiHealth: () => withTimeout("GET /readyz", readyz(kubeconfig)),
        etcdPods: async () => (await withTimeout("list etcd pods", core.listNamespacedPod({ namespace: "kube-system", labelSelector: "component=etcd" }))).items.map((pod) => {
            const ready = condition(pod.status?.conditions, "Ready");
            return { name: pod.metadata?.name ?? "", node: pod.spec?.nodeName, ready: ready?.status === "True", reason: ready?.message ?? ready?.reason };
        }),
        kustomizations: async () => {
            // Flux's Kustomization API (kustomize.toolkit.fluxcd.io/v1), listed in every namespace.
            const list = await withTimeout("list Kustomizations", custom.listClusterCustomObject({ group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" })) as { items?: { metadata?: { name?: string; namespace?: string }; spec?: { suspend?: boolean }; status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] } }[] };
            return (list.items ?? []).map((k) => {
                const ready = condition(k.status?.conditions, "Ready");
                return { namespace: k.metadata?.namespace ?? "", name: k.metadata?.name ?? "", ready: ready?.status as "True" | "False" | "Unknown" | undefined, reason: ready?.reason, message: ready?.message, suspended: k.spec?.suspend ?? false };
            });
        },
        cronJobs: async () => (await withTimeout("list CronJobs", batch.listCronJobForAllNamespaces())).items.map((job) => ({
            namespace: job.metadata?.namespace ?? "",
            name: job.metadata?.name ?? "",
            schedule: job.spec?.schedule ?? "",
            suspended: job.spec?.suspend ?? false,
            lastSuccessfulTime: job.status?.lastSuccessfulTime ? new Date(job.status.lastSuccessfulTime) : undefined,
            lastScheduleTime: job.status?.lastScheduleTime ? new Date(job.status.lastScheduleTime) : undefined,
        })),
    };
}

export interface StatusDependencies {
    readonly opener?: StackOpener;
    readonly reader?: (kubeconfig: string) => Promise<ClusterReader>;
    readonly now?: () => Date;
    readonly stacksDir?: string;
}

export function statusCommand(dependencies: StatusDependencies = {}): CommandSpec {
    return {
        name: "status",
        summary: "health of a live cluster against its stack file, in one table",
        usage: ["--stack <name> [--json] [--kubeconfig <file>] [--offline]"],
        description: [
            "Nodes and their Ready state against the stack file, etcd (the API server's checks, member pods when etcd",
            "runs in pods), certificate expiry (API server, kubeconfig client), Flux Kustomization readiness, key",
            "rotation due dates (stack outputs *RotationDue) and the last etcd snapshot. The kubeconfig is the stack",
            "output `kubeconfig` (read through the Automation API) unless --kubeconfig is given. Without Pulumi, or",
            "with --offline, it says what it would check.",
        ].join("\n"),
        options: {
            stack: { type: "string", short: "s", value: "name", description: "the stack" },
            json: { type: "boolean", description: "print the rows as JSON on stdout" },
            kubeconfig: { type: "string", value: "file", description: "use this kubeconfig instead of the stack output" },
            offline: { type: "boolean", description: "only say what would be checked" },
            "stacks-dir": { type: "string", value: "dir", description: "where the stack files are (default: the project's stacks/)" },
        },
        exitCodes: ["0  everything ok (warnings allowed), or offline", "1  the stack file is invalid or the cluster cannot be reached", "2  something needs a person (or a usage error)"],
        async run(args) {
            const stack = stringOption(args, "stack");
            if (!stack) throw new UsageError("--stack <name> is required");
            assertStackName(stack);
            const offline = loadOfflineStack(stack, stringOption(args, "stacks-dir") ?? dependencies.stacksDir ?? STACKS_DIR);
            const expected = offline.loaded.spec.nodes.map((n) => ({ name: n.name, role: n.role, pool: n.pool }));
            const explain = (why: string) => {
                process.stderr.write(`${why}\n`);
                process.stdout.write(describeChecks(stack, expected) + "\n");
                return EXIT.ok;
            };
            if (flag(args, "offline")) return explain(`status of ${stack}: --offline`);
            const kubeconfigFile = stringOption(args, "kubeconfig");
            let outputs: Record<string, unknown> = {};
            try {
                outputs = outputValues(await (await (dependencies.opener ?? localStacks()).select(stack)).outputs());
            } catch (error) {
                if (error instanceof PulumiUnavailableError && !kubeconfigFile) return explain(`status of ${stack}: ${error.message}`);
                if (!kubeconfigFile) {
                    process.stderr.write(`status of ${stack}: cannot read the stack's outputs: ${escapeTerminal(errorText(error))}\n`);
                    return EXIT.error;
                }
                process.stderr.write(`warning: cannot read the stack's outputs (${escapeTerminal(errorText(error))}): key due dates are unknown\n`);
            }
            const kubeconfig = kubeconfigFile ? fs.readFileSync(kubeconfigFile, "utf8") : typeof outputs.kubeconfig === "string" ? outputs.kubeconfig : undefined;
            if (!kubeconfig) return explain(`status of ${stack}: the stack has no kubeconfig output yet (has \`pulumi up\` run?)`);
            const progress = new Progress(`status ${stack}`).start();
            progress.update("reading the cluster");
            const reader = await (dependencies.reader ?? kubernetesReader)(kubeconfig);
            const rows = await evaluateStatus({ stack, expectedNodes: expected, outputs, kubeconfig, cluster: reader, now: dependencies.now?.() ?? new Date() });
            progress.done();
            process.stdout.write((flag(args, "json") ? JSON.stringify(rows, null, 2) : renderStatus(rows)) + "\n");
            if (unreachable(rows)) {
                process.stderr.write(`status of ${stack}: the cluster could not be reached\n`);
                return EXIT.error;
            }
            return needsAPerson(rows) ? EXIT.findings : EXIT.ok;
        },
    };
}
