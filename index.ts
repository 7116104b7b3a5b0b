// Pulumi entry point: load the stack's cluster spec, build the Cluster, export its outputs.
import { defineCluster, projectConfig } from "./components/program";

export = defineCluster(projectConfig());
