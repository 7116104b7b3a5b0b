/** Turns zod's issues into sentences that name the field path and what is allowed there. */
import { z } from "zod";
import { formatPath, type SpecIssue } from "./errors";

type AnySchema = z.ZodType;

/** Walks the schema along a path to list the fields an object accepts there. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
    let current: AnySchema | undefined = unwrap(schema);
    for (const segment of path) {
        if (!current) {
            return undefined;
        }
        if (current instanceof z.ZodObject) {
            current = unwrap(current.shape[String(segment)] as AnySchema | undefined);
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

function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
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

function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "an object";
    return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let current = input;
    for (const segment of path) {
        if (current === null || typeof current !== "object") return undefined;
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

function describe(issue: z.core.$ZodIssue, schema: AnySchema, input: unknown, path: PropertyKey[]): SpecIssue[] {
    const at = formatPath(path);
    switch (issue.code) {
        case "invalid_type": {
            const actual = valueAt(input, path);
            return [{ path: at, message: actual === undefined ? `is required (${issue.expected})` : `must be ${issue.expected === "array" ? "a list" : `${issue.expected === "object" ? "an" : "a"} ${issue.expected}`}, not ${describeType(actual)}` }];
        }
        case "invalid_value":
            return [{ path: at, message: `is ${JSON.stringify(valueAt(input, path))}; allowed: ${issue.values.map((v) => String(v)).join(", ")}` }];
        case "unrecognized_keys": {
            const target = schemaAt(schema, path);
            const allowed = target instanceof z.ZodObject ? Object.keys(target.shape).join(", ") : "";
            return issue.keys.map((key) => ({
                path: formatPath([...path, key]),
                message: `is not a known field${allowed ? `; allowed here: ${allowed}` : ""}`,
            }));
        }
        case "too_small":
            return [{ path: at, message: issue.origin === "array" ? `must list at least ${issue.minimum} item(s)` : issue.origin === "string" ? `must be at least ${issue.minimum} character(s)` : `must be at least ${issue.minimum}, not ${JSON.stringify(valueAt(input, path))}` }];
        case "too_big":
            return [{ path: at, message: issue.origin === "array" ? `must list at most ${issue.maximum} item(s)` : issue.origin === "string" ? `must be at most ${issue.maximum} characters` : `must be at most ${issue.maximum}, not ${JSON.stringify(valueAt(input, path))}` }];
        case "invalid_union": {
            // Prefer the alternative the input was shaped like: its issues are the useful ones.
            const shaped = issue.errors.find((alt) => alt.length > 0 && !alt.every((i) => i.code === "invalid_type" && i.path.length === 0));
            if (shaped) {
                return shaped.flatMap((inner) => describe(inner, schema, input, [...path, ...inner.path]));
            }
            return [{ path: at, message: unionForms(schemaAt(schema, path)) }];
        }
        case "invalid_key":
            return [{ path: at, message: `is not a valid key: ${issue.issues.map((inner) => inner.message).join("; ")}` }];
        case "invalid_format":
        case "custom":
        default: {
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
