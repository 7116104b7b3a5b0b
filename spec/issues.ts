/** Turns zod's issues into sentences that name the field path and what is allowed there. */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { formatPath, type SpecIssue } from "./errors";

type AnySchema = z.ZodType;

/** Walks the schema along a path to list the fields an object accepts there. */
export function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
    let current: AnySchema | undefined = unwrap(schema);
    for (const segment of path) {
        if (!current) {
            return undefined;
        }
        if (current instanceof z.ZodObject) {
            const shape = current.shape as Record<string, AnySchema>;
            current = Object.hasOwn(shape, String(segment)) ? unwrap(shape[String(segment)]) : undefined;
        } else if (current instanceof z.ZodArray) {
            current = unwrap(current.element as AnySchema);
        } else if (current instanceof z.ZodRecord) {
            current = unwrap(current.valueType as AnySchema);
        } else if (current instanceof z.ZodUnion) {
            const objects = (current.options as AnySchema[]).map(unwrap).filter((o) => o instanceof z.ZodObject || o instanceof z.ZodArray);
            current = objects.length ? schemaAt(objects[0]!, [segment]) : undefined;
        } else {
            return undefined;
        }
    }
    return current;
}

export function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
    let current = schema;
    for (let i = 0; i < 10 && current; i++) {
        if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodNullable) {
            current = (current as unknown as { unwrap(): AnySchema }).unwrap();
        } else if (current instanceof z.ZodPipe) {
            current = (current as unknown as { in: AnySchema }).in;
        } else {
            break;
        }
    }
    return current;
}

/** A value as a person reads it in a message: short, and never more than 40 characters of it. */
function quote(value: unknown): string {
    if (typeof value === "number" && !Number.isFinite(value)) {
        return Number.isNaN(value) ? ".nan (not a number)" : `${value < 0 ? "-" : ""}.inf (infinity)`;
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "an object";
    if (typeof value === "number" && !Number.isFinite(value)) return quote(value);
    return `${typeof value} ${quote(value)}`;
}

/** Only the kind of a value: what a message says about a secret (its value is never shown). */
function describeKind(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "an object";
    return `a ${typeof value}`;
}

/** Own properties only, so a path segment such as `constructor` never reads an inherited member. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let current = input;
    for (const segment of path) {
        if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
        current = (current as Record<PropertyKey, unknown>)[segment as string];
    }
    return current;
}

export function toSpecIssues(error: z.ZodError, schema: AnySchema, input: unknown, prefix: readonly PropertyKey[] = []): SpecIssue[] {
    const issues: SpecIssue[] = [];
    for (const issue of error.issues) {
        issues.push(...describe(issue as z.core.$ZodIssue, schema, input, [...prefix, ...issue.path]));
    }
    return issues;
}

/** Values under `secrets` are secrets: a message about one names the field and the rule, never the value. */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
    return path[0] === "secrets";
}

function describe(issue: z.core.$ZodIssue, schema: AnySchema, input: unknown, path: PropertyKey[]): SpecIssue[] {
    const at = formatPath(path);
    const secret = isSecretPath(path);
    switch (issue.code) {
        case "invalid_type": {
            const actual = valueAt(input, path);
            const expected = issue.expected === "array" ? "a list" : `${issue.expected === "object" ? "an" : "a"} ${issue.expected}`;
            if (actual === undefined) {
                return [{ path: at, message: `is required (${issue.expected})` }];
            }
            if (secret) {
                const hint = typeof actual === "number" || typeof actual === "boolean"
                    ? "; `pulumi config set --path` stores digits and true/false as numbers and booleans: set it again with --type string"
                    : "";
                return [{ path: at, message: `must be ${expected}, not ${describeKind(actual)} (the value is a secret and is not shown)${hint}` }];
            }
            if (typeof actual === "number" && !Number.isFinite(actual)) {
                return [{ path: at, message: `must be a finite number, not ${quote(actual)}` }];
            }
            return [{ path: at, message: `must be ${expected}, not ${describeType(actual)}` }];
        }
        case "invalid_value": {
            const actual = valueAt(input, path);
            const what = actual === undefined ? "is required" : secret ? "is not an allowed value" : `is ${quote(actual)}`;
            return [{ path: at, message: `${what}; allowed: ${issue.values.map((v) => String(v)).join(", ")}` }];
        }
        case "unrecognized_keys": {
            const target = schemaAt(schema, path);
            const fields = target instanceof z.ZodObject ? Object.keys(target.shape) : [];
            return issue.keys.map((key) => {
                // As Pulumi suggests project attributes: the closest within two edits, case aside.
                const near = fields.length > 0 ? closest(key.toLowerCase(), fields.map((field) => field.toLowerCase())) : "";
                const suggestion = near && distance(key.toLowerCase(), near) <= 2 ? fields.find((field) => field.toLowerCase() === near) : undefined;
                return {
                    path: formatPath([...path, key]),
                    message: `is not a known field${suggestion ? `; did you mean ${suggestion}?` : ""}${fields.length ? `${suggestion ? " Allowed" : "; allowed"} here: ${fields.join(", ")}` : ""}`,
                };
            });
        }
        case "too_small": {
            const value = secret ? "" : `, not ${quote(valueAt(input, path))}`;
            return [{ path: at, message: issue.origin === "array" ? `must list at least ${issue.minimum} item(s)` : issue.origin === "string" ? `must be at least ${issue.minimum} character(s)` : `must be at least ${issue.minimum}${value}` }];
        }
        case "too_big": {
            const value = secret ? "" : `, not ${quote(valueAt(input, path))}`;
            return [{ path: at, message: issue.origin === "array" ? `must list at most ${issue.maximum} item(s)` : issue.origin === "string" ? `must be at most ${issue.maximum} characters` : `must be at most ${issue.maximum}${value}` }];
        }
        case "invalid_union": {
            // Prefer the alternative the input was shaped like: its issues are the useful ones.
            const shaped = issue.errors.find((alt) => alt.length > 0 && !alt.every((i) => i.code === "invalid_type" && i.path.length === 0));
            if (shaped) {
                return shaped.flatMap((inner) => describe(inner, schema, input, [...path, ...inner.path]));
            }
            return [{ path: at, message: unionForms(schemaAt(schema, path)) }];
        }
        case "invalid_key": {
            const reasons = issue.issues.map((inner) => inner.message);
            // Sentences that already say what the key is ("is not a known service…") stand alone.
            const standalone = reasons.length > 0 && reasons.every((reason) => reason.startsWith("is "));
            return [{ path: at, message: standalone ? reasons.join("; ") : `is not a valid key: ${reasons.join("; ")}` }];
        }
        case "invalid_format":
        case "custom":
        default: {
            if (secret) {
                // A refinement's message may quote what it checked; for a secret only our own wording is safe.
                return [{ path: at, message: issue.message.startsWith("Invalid") ? "is not valid (the value is a secret and is not shown)" : issue.message }];
            }
            const message = issue.message.startsWith("Invalid") ? `is not valid: ${issue.message}` : issue.message;
            return [{ path: at, message }];
        }
    }
}

function unionForms(schema: AnySchema | undefined): string {
    if (schema instanceof z.ZodUnion) {
        const forms = (schema.options as AnySchema[]).map((option) => {
            const inner = unwrap(option);
            if (inner instanceof z.ZodObject) return `an object {${Object.keys(inner.shape).join(", ")}}`;
            if (inner instanceof z.ZodArray) return "a list";
            if (inner instanceof z.ZodLiteral) return JSON.stringify(inner.value);
            return inner?.def.type ?? "a value";
        });
        return `must be one of: ${forms.join(" or ")}`;
    }
    return "does not match any accepted form";
}
