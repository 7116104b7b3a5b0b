/**
 * Turns the wire form of resource inputs (what the Pulumi SDK sends the engine) into plain values:
 * secrets become a marker in the redacted copy and plain values in the raw copy (raw copies never
 * leave the process), unknowns become "[unknown]", resource references their URN.
 */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SECRET_MARKER = "[secret]";

export interface Decoded {
    readonly redacted: unknown;
    readonly raw: unknown;
    /** Property paths that held a secret. */
    readonly secretPaths: string[];
}

export function decodeWire(value: unknown): Decoded {
    const secretPaths: string[] = [];
    const walk = (v: unknown, path: string, inSecret: boolean): { redacted: unknown; raw: unknown } => {
        if (v === UNKNOWN) {
            return { redacted: "[unknown]", raw: "[unknown]" };
        }
        if (Array.isArray(v)) {
            const parts = v.map((item, i) => walk(item, `${path}[${i}]`, inSecret));
            return { redacted: parts.map((p) => p.redacted), raw: parts.map((p) => p.raw) };
        }
        if (v && typeof v === "object") {
            const obj = v as Record<string, unknown>;
            const sig = obj[SIG];
            if (sig === SECRET_SIG) {
                if (!inSecret) {
                    secretPaths.push(path);
                }
                const inner = walk(obj.value, path, true);
                return { redacted: SECRET_MARKER, raw: inner.raw };
            }
            if (sig === OUTPUT_SIG) {
                if (obj.secret === true) {
                    secretPaths.push(path);
                    const inner = walk(obj.value, path, true);
                    return { redacted: SECRET_MARKER, raw: inner.raw };
                }
                return "value" in obj ? walk(obj.value, path, inSecret) : { redacted: "[unknown]", raw: "[unknown]" };
            }
            if (sig === RESOURCE_SIG) {
                return { redacted: obj.urn, raw: obj.urn };
            }
            if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
                const described = { asset: obj.path ?? obj.uri ?? (typeof obj.text === "string" ? `text(${obj.text.length} chars)` : "archive") };
                return { redacted: described, raw: obj };
            }
            const redacted: Record<string, unknown> = {};
            const raw: Record<string, unknown> = {};
            for (const key of Object.keys(obj).sort()) {
                const inner = walk(obj[key], path ? `${path}.${key}` : key, inSecret);
                redacted[key] = inner.redacted;
                raw[key] = inner.raw;
            }
            return { redacted, raw };
        }
        return { redacted: v, raw: v };
    };
    const { redacted, raw } = walk(value, "", false);
    return { redacted, raw, secretPaths };
}
