/**
 * Offline stand-ins for secrets. A stack file in Git holds no secret in clear, and its encrypted
 * values cannot be read without the Pulumi CLI, so the offline plan fills every secret the stack
 * needs with a marked stand-in and says which ones it filled. `pulumi up` never sees these.
 */
import { configForRules } from "./load";
import { requiredSecrets, secretValue } from "./rules/secrets";
import { OFFLINE_SECRET } from "./stackfile";

export interface StandIns {
    readonly values: Record<string, unknown>;
    /** Paths under `secrets` that were filled with a stand-in. */
    readonly filled: readonly string[];
}

/**
 * Fills every secret the stack needs that the file does not carry. With shape errors elsewhere in the
 * file, "needs" is judged on the config the rules see (spec/repair.ts), so the plan's report lists the
 * real problems and not "secrets.… is required" for secrets a stand-in would have filled.
 */
export function withSecretStandIns(values: Readonly<Record<string, unknown>>): StandIns {
    const config = configForRules(values);
    if (!config) {
        return { values: { ...values }, filled: [] };
    }
    const given = values.secrets;
    const plain = given !== null && typeof given === "object" && !Array.isArray(given) ? given as Record<string, unknown> : {};
    const secrets = structuredClone(plain) as Record<string, unknown> & { services?: Record<string, Record<string, string>> };
    if (secrets.services !== undefined && (secrets.services === null || typeof secrets.services !== "object" || Array.isArray(secrets.services))) {
        return { values: { ...values }, filled: [] };
    }
    const filled: string[] = [];
    for (const { path } of requiredSecrets(config)) {
        if (secretValue(config.secrets, path) !== undefined || hasValue(plain, path)) {
            continue;
        }
        const parts = path.split(".");
        if (parts[0] === "services") {
            secrets.services = secrets.services ?? {};
            const current = secrets.services[parts[1]];
            secrets.services[parts[1]] = { ...(current !== null && typeof current === "object" ? current : {}), [parts[2]]: OFFLINE_SECRET };
        } else {
            secrets[path] = OFFLINE_SECRET;
        }
        filled.push(`secrets.${path}`);
    }
    return { values: { ...values, secrets }, filled };
}

/** Whether the file gives a value at `path` at all (even a malformed one: the spec reports that one). */
function hasValue(secrets: Record<string, unknown>, path: string): boolean {
    const parts = path.split(".");
    if (parts[0] === "services") {
        const services = secrets.services as Record<string, unknown> | undefined;
        const service = services && Object.hasOwn(services, parts[1]) ? services[parts[1]] as Record<string, unknown> | null : undefined;
        return service !== null && typeof service === "object" && Object.hasOwn(service, parts[2]);
    }
    return Object.hasOwn(secrets, path);
}
