/** plan.md: what the program would create, grouped by component, with a Mermaid diagram of the topology. */
import type { ClusterSpec } from "../spec";
import type { RecordedResource } from "../offline/harness";
import { escapeMarkdownCell, escapeMarkdownText, markdownCode } from "./terminal";

export function renderPlanMarkdown(stack: string, spec: ClusterSpec, resources: readonly RecordedResource[], standIns: readonly string[]): string {
    const lines: string[] = [];
    // Names here are held to formats by the spec; escaped anyway, since plan.md is rendered where people review.
    lines.push(`# Plan for stack ${markdownCode(stack)}`, "");
    lines.push(`Cluster **${escapeMarkdownText(spec.meta.name)}** (${spec.meta.environment}) on **${spec.infrastructure.provider}**, Kubernetes ${escapeMarkdownText(spec.kubernetes.version)} by Kubespray ${escapeMarkdownText(spec.kubespray.version)}.`, "");
    lines.push(`${spec.nodes.length} nodes, ${resources.filter((r) => r.custom).length} resources in ${resources.filter((r) => !r.custom).length} components.`, "");
    if (standIns.length) {
        lines.push("Secrets not readable offline were replaced by stand-ins: " + standIns.map(markdownCode).join(", ") + ".", "");
    }
    lines.push("## Topology", "", "```mermaid");
    for (const line of mermaid(spec)) lines.push(line);
    lines.push("```", "");
    lines.push("## Resources by component", "");
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const components = resources.filter((r) => !r.custom);
    for (const component of components) {
        const children = resources.filter((r) => r.custom && r.parent === component.urn);
        if (children.length === 0) {
            continue;
        }
        const parent = component.parent ? byUrn.get(component.parent)?.name : undefined;
        lines.push(`### ${escapeMarkdownText(component.name)} (${markdownCode(component.type)}${parent ? `, in ${escapeMarkdownText(parent)}` : ""})`, "");
        lines.push("| type | name |", "|---|---|");
        for (const child of children) {
            lines.push(`| ${markdownCode(child.type)} | ${escapeMarkdownCell(child.name)} |`);
        }
        lines.push("");
    }
    return lines.join("\n");
}

/**
 * Pools larger than this are drawn as their first and last nodes and a count: Mermaid refuses diagrams
 * over 50,000 characters by default (`maxTextSize` in its config), and a 1,000-worker pool drawn node by
 * node is 45.6 KB. With the collapse the diagram's size depends on the number of pools, not of nodes.
 */
export const MERMAID_POOL_NODES = 6;
const MERMAID_EDGE_NODES = 2;

export function mermaid(spec: ClusterSpec): string[] {
    const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, "_");
    const out = ["flowchart TB"];
    const api = `${spec.infrastructure.apiEndpoint.type} ${spec.infrastructure.network.apiVip ?? ""}:${spec.kubernetes.apiPort}`.trim();
    out.push(`  api(["API ${api}"])`);
    if (spec.infrastructure.bastion.enabled) {
        out.push(`  bastion[["bastion ${spec.infrastructure.bastion.address}"]]`);
    }
    const pools = [...new Set(spec.nodes.map((n) => n.pool))];
    for (const pool of pools) {
        const nodes = spec.nodes.filter((n) => n.pool === pool);
        out.push(`  subgraph ${id(`pool_${pool}`)}["pool ${pool} (${nodes[0].role})"]`);
        const drawn = nodes.length > MERMAID_POOL_NODES
            ? [...nodes.slice(0, MERMAID_EDGE_NODES), undefined, ...nodes.slice(-MERMAID_EDGE_NODES)]
            : nodes;
        for (const node of drawn) {
            out.push(node
                ? `    ${id(node.name)}["${node.name}<br/>${node.address}"]`
                : `    ${id(`pool_${pool}_more`)}["… ${nodes.length - 2 * MERMAID_EDGE_NODES} more nodes"]`);
        }
        out.push("  end");
        if (nodes[0].role === "control-plane") {
            out.push(`  api --> ${id(`pool_${pool}`)}`);
        }
        if (spec.infrastructure.bastion.enabled) {
            out.push(`  bastion -.ssh.-> ${id(`pool_${pool}`)}`);
        }
    }
    return out;
}
