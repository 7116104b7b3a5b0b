// Pulumi entry point: load the stack's cluster spec, build the Cluster, export its outputs.
import { defineCluster, projectConfig, tuneRuntime } from "./components/program";

tuneRuntime();
export = defineCluster(projectConfig());
