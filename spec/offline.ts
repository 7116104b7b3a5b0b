/**
 * Offline stand-ins for secrets. A stack file in Git holds no secret in clear, and its encrypted
 * values cannot be read without the Pulumi CLI, so the offline plan fills every secret the stack
 * needs with a marked stand-in and says which ones it filled. `pulumi up` never sees these.
 */
import { clusterConfigSchema } from "./schema";
import { requiredSecrets, secretValue } from "./rules/secrets";
import { OFFLINE_SECRET } from "./stackfile";

export interface StandIns {
    readonly values: Record<string, unknown>;
    /** Paths under `secrets` that were filled with a stand-in. */
    readonly filled: readonly string[];
}

export function withSecretStandIns(values: Readonly<Record<string, unknown>>): StandIns {
    const parsed = clusterConfigSchema.safeParse(values);
    if (!parsed.success) {
        return { values: { ...values }, filled: [] };
    }
    const secrets = structuredClone((values.secrets ?? {}) as Record<string, unknown>) as Record<string, unknown> & { services?: Record<string, Record<string, string>> };
    const filled: string[] = [];
    for (const { path } of requiredSecrets(parsed.data)) {
        if (secretValue(parsed.data.secrets, path) !== undefined) {
            continue;
        }
        const parts = path.split(".");
        if (parts[0] === "services") {
            secrets.services = secrets.services ?? {};
            secrets.services[parts[1]] = { ...(secrets.services[parts[1]] ?? {}), [parts[2]]: OFFLINE_SECRET };
        } else {
            secrets[path] = OFFLINE_SECRET;
        }
        filled.push(`secrets.${path}`);
    }
    return { values: { ...values, secrets }, filled };
}
