// Pulumi entry point (compiled to dist/index.js by `npm run build`): load the stack's cluster spec,
// build the Cluster, export its outputs.
import * as pulumi from "@pulumi/pulumi";
import { staleBuildReason } from "./components/build-stamp";
import { unsupportedNodeReason } from "./components/node-version";
import { defineCluster, projectConfig, tuneRuntime } from "./components/program";
import { PROJECT_ROOT } from "./components/project";

const refusal = unsupportedNodeReason() ?? (__filename.endsWith(".js") ? staleBuildReason(PROJECT_ROOT) : undefined);
if (refusal) {
    throw new pulumi.RunError(refusal);
}
tuneRuntime();
export = defineCluster(projectConfig());
