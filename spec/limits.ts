/**
 * Every size bound of the stack file, in one place (README "Limits" lists them). Each exists so that no
 * input, careless or hostile, can make validation or a plan take minutes or gigabytes: a bound is
 * checked before the work it protects, and its error names the field and the limit.
 */

/** A stack file larger than this is refused before it is parsed. */
export const MAX_STACK_FILE_BYTES = 4 * 1024 * 1024;

/** YAML aliases a stack file may use (the `yaml` library's default is 100; a stack needs few or none). */
export const MAX_YAML_ALIASES = 50;

/** Nesting depth of any value in the stack config (a Helm values tree rarely goes past 10). */
export const MAX_DEPTH = 32;

/** Entries (object keys plus list items, counted through every level) in the whole `clusters:` config. */
export const MAX_CONFIG_ENTRIES = 100_000;

/** Length of any one string anywhere in the config, before its own field's bound applies. */
export const MAX_STRING_LENGTH = 1024 * 1024;

/**
 * Kubernetes caps a Secret's data at 1 MiB (https://kubernetes.io/docs/concepts/configuration/secret/
 * "Individual Secrets are limited to 1MiB in size"). A service's values become its
 * `<svc>-values-override` Secret together with its secret values, so the values take at most 960 KiB
 * and the secret values of one service at most 64 KiB.
 */
export const SECRET_DATA_LIMIT_BYTES = 1024 * 1024;
export const MAX_SERVICE_VALUES_BYTES = 960 * 1024;
export const MAX_SERVICE_SECRETS_BYTES = 64 * 1024;

/** Entries in one service's `values`, counted through every level. */
export const MAX_SERVICE_VALUES_ENTRIES = 10_000;

/** One secret value (an SSH private key or a kubeconfig with embedded certificates fits easily). */
export const MAX_SECRET_LENGTH = 64 * 1024;

/**
 * Cluster size. Measured on generated OpenStack stacks on the project's 2-core, 24 GiB machine
 * (bench/results, README "Limits"): 3+1,000 workers plan in 24-29 s with a 1.8 GiB peak; 3+3,000 in
 * about 3.1 GiB; 3+4,000 runs out of Node's default heap. So at most 3,000 workers in all pools
 * together, and 1,000 in one pool.
 */
export const MAX_WORKER_NODES = 3000;
export const MAX_WORKERS_PER_POOL = 1000;
export const MAX_CONTROL_PLANE_NODES = 9;
export const MAX_NODES = MAX_WORKER_NODES + MAX_CONTROL_PLANE_NODES;
export const MAX_WORKER_POOLS = 50;

/** Lists and maps whose size the program multiplies into resources, files or loops. */
export const MAX_LIST = {
    dnsServers: 8,
    ntpServers: 8,
    allowedCidrs: 64,
    authorizedKeys: 32,
    knownHosts: 32,
    addresses: MAX_WORKERS_PER_POOL,
    dataVolumes: 16,
    labels: 64,
    taints: 32,
    availabilityZones: 16,
    sizes: 64,
    uplinkNics: 8,
    namespaces: 64,
    maintenanceWindows: 32,
    schedules: 32,
    replaceNodes: MAX_NODES,
    extraVars: 200,
    serviceSecrets: 32,
    services: 64,
} as const;

/** Free-text fields. */
export const MAX_TEXT = {
    pausedReason: 500,
    extraVarValue: 1024,
    url: 2048,
    sshPublicKey: 16 * 1024,
} as const;

/** Relative paths (kubespray.runner.workDir, gitops.repository.path). */
export const MAX_PATH_LENGTH = 255;
export const MAX_PATH_SEGMENTS = 16;
export const MAX_PATH_SEGMENT_LENGTH = 63;

/** An OCI image reference: the distribution spec's repository name is at most 255 characters; tag 128. */
export const MAX_IMAGE_REFERENCE_LENGTH = 512;

/** A spec error lists at most this many problems, then says how many more there are. */
export const MAX_REPORTED_ISSUES = 100;
