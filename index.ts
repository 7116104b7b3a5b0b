// Pulumi entry point (compiled to dist/index.js by `npm run build`): read the stack's config (checked against
// its own stack file: components/stack-config.ts), load the cluster spec,
// read what is deployed, build the Cluster, export its outputs. An async function as the module's export:
// the Node language host calls an exported function and awaits what it returns as the stack's outputs
// (@pulumi/pulumi cmd/run/run.js), so the deployed record is read before any other resource.
import * as pulumi from "@pulumi/pulumi";
import { staleBuildReason } from "./components/build-stamp";
import { unsupportedNodeReason } from "./components/node-version";
import { defineCluster, tuneRuntime } from "./components/program";
import { PROJECT_ROOT } from "./components/project";
import { stackConfig } from "./components/stack-config";

const refusal = unsupportedNodeReason() ?? (__filename.endsWith(".js") ? staleBuildReason(PROJECT_ROOT) : undefined);
if (refusal) {
    throw new pulumi.RunError(refusal);
}
tuneRuntime();
export = async (): Promise<Record<string, unknown>> => defineCluster(stackConfig());
