/**
 * The program: stack config in, Cluster out. `index.ts` calls it with the engine's config; the offline
 * harness calls it with a stack file's config under mocks (and the previous outputs it was given). Same
 * code path, so what the tests record is what `pulumi up` registers.
 *
 * In order, before any resource: the stack file is validated (every problem at once), `operations.paused`
 * stops `pulumi up`, then the deployed record is read (the stack's own last outputs) and what `pulumi up`
 * would refuse against it is refused here, in `pulumi preview` and the offline plan as well.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadClusterSpec, projectConfigValues, SpecError, type ClusterSpec, type Secrets } from "../spec";
import { Cluster, type SecretInputs } from "./cluster";
import { DeployedRecordError, readDeployed, recoveryDigest, type Deployed } from "./deployed";
import { clusterRefusal, protectedRemovalRefusal } from "./kubespray/refusals";
import { addressRefusal } from "./kubespray/address-changes";
import { decommissionNotices, protectedRemovals } from "./protection";

/**
 * Every promise the Pulumi SDK makes records `new Error().stack`, and under ts-node each trace is
 * source-mapped: with a 1,000-node cluster that is most of the program's time (bench/: 49 s → 11 s
 * at 3+1000 OpenStack). Pulumi still records full source positions (it lifts the limit itself), and our
 * errors are messages, so one frame is enough; CLUSTERS_STACK_TRACES=1 keeps full traces for debugging.
 */
export function tuneRuntime(): void {
    if (!process.env.CLUSTERS_STACK_TRACES) {
        Error.stackTraceLimit = 1;
    }
}

/**
 * The stack's `clusters:` config values, keys without the namespace (objects arrive as JSON text), plus
 * keys of a near-miss namespace (`Clusters:`, `cluster:`) for the spec to refuse by name.
 */
export function projectConfig(): Record<string, unknown> {
    return projectConfigValues(pulumi.runtime.allConfig()).values;
}

/** Every secret value becomes a Pulumi secret here, before anything else can see it. */
export function secretInputs(secrets: Secrets): SecretInputs {
    const wrap = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    return {
        gitToken: wrap(secrets.gitToken),
        gitSshPrivateKey: wrap(secrets.gitSshPrivateKey),
        baseRepoToken: wrap(secrets.baseRepoToken),
        harvesterKubeconfig: wrap(secrets.harvesterKubeconfig),
        sshPrivateKey: wrap(secrets.sshPrivateKey),
        backupAccessKeyId: wrap(secrets.backupAccessKeyId),
        backupSecretAccessKey: wrap(secrets.backupSecretAccessKey),
        services: Object.fromEntries(Object.entries(secrets.services).map(([service, values]) => [
            service, Object.fromEntries(Object.entries(values).map(([key, value]) => [key, pulumi.secret(value)])),
        ])),
    };
}

/**
 * What `pulumi up` would refuse between what is deployed and the stack file (components/kubespray/refusals.ts,
 * the runner's own function and words), or undefined: versions and control-plane membership, then a
 * production node taken out of the stack file while its machine is protected (its remove-node.yml would run
 * before the engine refused the delete). Nothing is refused on Day 1.
 */
export function deployedRefusal(spec: ClusterSpec, deployed: Deployed): string | undefined {
    if (!deployed.record) {
        return undefined;
    }
    const desired = {
        kubernetesVersion: spec.kubernetes.version,
        kubesprayVersion: spec.kubespray.version,
        controlPlane: spec.nodes.filter((n) => n.role === "control-plane").map((n) => n.name),
    };
    // A recovery the cluster has not run yet runs alone (the cluster command's own rule: planner.ts pendingRecovery).
    const recovery = recoveryDigest(spec);
    return clusterRefusal(deployed.record, desired, deployed.nodes, recovery !== undefined && recovery !== deployed.record.recover)
        ?? protectedRemovalRefusal(protectedRemovals(spec, deployed))
        ?? addressRefusal(spec, deployed);
}

/**
 * The program. `readDeployedRecord` is how the record is read: through a StackReference to the stack itself
 * (the default), or, offline, whatever the harness says.
 */
export async function defineCluster(config: Record<string, unknown>, readDeployedRecord: () => Promise<Deployed> = readDeployed): Promise<Record<string, unknown>> {
    let loaded;
    try {
        loaded = loadClusterSpec(config);
    } catch (error) {
        if (error instanceof SpecError) {
            // A RunError prints the message alone, without a stack trace: the list is what a person needs.
            throw new pulumi.RunError(error.message);
        }
        throw error;
    }
    const { operations } = loaded.spec;
    if (operations.paused && !pulumi.runtime.isDryRun()) {
        // Preview still runs (drift review keeps working); only changes are refused.
        throw new pulumi.RunError(`operations.paused is true: ${operations.pausedReason ?? "no reason given"}. pulumi preview works; set operations.paused to false to apply changes.`);
    }
    for (const warning of loaded.warnings) {
        pulumi.log.warn(`${warning.path}: ${warning.message}`);
    }
    let deployed: Deployed;
    try {
        deployed = await readDeployedRecord();
    } catch (error) {
        if (error instanceof DeployedRecordError) {
            throw new pulumi.RunError(error.message);
        }
        throw error;
    }
    const refusal = deployedRefusal(loaded.spec, deployed);
    if (refusal) {
        throw new pulumi.RunError(refusal);
    }
    for (const notice of decommissionNotices(loaded.spec, deployed)) {
        pulumi.log.warn(notice);
    }
    const cluster = new Cluster(loaded.spec.meta.name, { spec: loaded.spec, secrets: secretInputs(loaded.secrets), deployed });
    return cluster.stackOutputs();
}
