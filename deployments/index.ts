// Pulumi entry of the Deployments project: settings and drift schedules for every stack in ../stacks.
import * as path from "path";
import { defineDeployments, readConfig } from "./program";

export = defineDeployments(readConfig(path.join(__dirname, "..", "stacks")));
