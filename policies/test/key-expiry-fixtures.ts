/**
 * Recorded-resource shapes the key expiry policies read: the keys' creation stamps, the stack's outputs,
 * the kubeconfig command. The client certificate is a throwaway self-signed one (its key was discarded).
 */
import * as fs from "fs";
import * as path from "path";
import { X509Certificate } from "crypto";

export const CERTIFICATE_PEM = fs.readFileSync(path.join(__dirname, "fixtures", "expiry", "admin-client-certificate.pem"), "utf8");
export const CERTIFICATE_EXPIRY = new Date(new X509Certificate(CERTIFICATE_PEM).validTo);

export const stamp = (key: string, generation: number, createdAt: unknown) => ({
    type: "command:local:Command", name: `dev-${key}-g${generation}-created-at`, props: { create: "date -u +%Y-%m-%dT%H:%M:%SZ", stdout: createdAt },
});

export const stackOutputs = (outputs: Record<string, unknown>) => ({ type: "pulumi:pulumi:Stack", name: "clusters-dev", props: outputs });

export const kubeconfigCommand = (certificatePem = CERTIFICATE_PEM) => ({
    type: "command:local:Command", name: "dev-kubeconfig",
    props: {
        create: "node dist/components/kubespray/runner/main.js kubeconfig",
        stdout: [
            "apiVersion: v1", "kind: Config", "clusters:", "- cluster: {server: 'https://api.dev:6443'}", "  name: dev",
            "contexts:", "- context: {cluster: dev, user: admin}", "  name: admin", "current-context: admin",
            "users:", "- name: admin", `  user: {client-certificate-data: ${Buffer.from(certificatePem).toString("base64")}, client-key-data: a2V5}`, "",
        ].join("\n"),
    },
});

export const daysAfter = (date: string | Date, days: number) => new Date(new Date(date).getTime() + days * 86_400_000).toISOString();

/**
 * The kubeconfig the runner hands out now: a ServiceAccount token, dated by the runner's
 * `clusters.pulumi.io/token` extension (its Secret's creation time), with the cluster CA.
 */
export const tokenKubeconfigCommand = (createdAt: string, generation = 0, caPem?: string) => ({
    type: "command:local:Command", name: "dev-kubeconfig",
    props: {
        create: "node dist/components/kubespray/runner/main.js kubeconfig",
        environment: { KUBESPRAY_DESIRED: JSON.stringify({ kind: "kubeconfig", v: 2, generation, server: "https://api.dev:6443" }) },
        stdout: [
            "apiVersion: v1", "kind: Config", "clusters:", "- name: cluster", "  cluster:", "    server: https://api.dev:6443",
            ...(caPem ? [`    certificate-authority-data: ${Buffer.from(caPem).toString("base64")}`] : []),
            "users:", "- name: pulumi-clusters-admin", "  user:", "    token: eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
            "    extensions:", "    - name: clusters.pulumi.io/token", "      extension:", `        generation: ${generation}`, `        createdAt: "${createdAt}"`,
            "contexts:", "- name: cluster", "  context:", "    cluster: cluster", "    user: pulumi-clusters-admin", "current-context: cluster", "",
        ].join("\n"),
    },
});

/** The Kubespray cluster command, with the state a stack that turns certificate renewal off has. */
export const clusterCommand = (autoRenewCertificates?: false) => ({
    type: "command:local:Command", name: "dev-cluster",
    props: {
        create: "node dist/components/kubespray/runner/main.js cluster",
        environment: { KUBESPRAY_DESIRED: JSON.stringify({ kind: "cluster", v: 2, kubernetesVersion: "1.33.7", ...(autoRenewCertificates === false ? { autoRenewCertificates } : {}) }) },
    },
});
