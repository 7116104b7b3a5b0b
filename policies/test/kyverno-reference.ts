/**
 * A small reference evaluator for the part of Kyverno's ClusterPolicy language that openCenter's default
 * ruleset uses, written for the parity test only: validate `pattern` and `anyPattern` (anchors `=()` and
 * `X()`, wildcard keys, `|` alternatives, `!`, `>0`, typed bool/int patterns), `deny` conditions and
 * `foreach` with the operators NotEquals, AnyIn, AnyNotIn, AllNotIn, and the JMESPath forms those
 * policies write (paths, `[]` projections, multi-select lists, `keys(@)`, `to_upper(@)`, `||` defaults).
 * It reads the real YAML from the pinned tree; our rules are then compared with it on generated pods.
 * It throws on anything outside that subset, so a new construct in the ruleset fails the test loudly
 * instead of being misread.
 *
 * Semantics from Kyverno's documentation (writing-policies/validate: anchors, operators, wildcards;
 * preconditions and conditions) and engine (pkg/engine/pattern, pkg/engine/anchor, ext/wildcard).
 */
import { wildcardMatch } from "../lib/kyverno";

type Json = any;

// ---------- JMESPath subset ----------

type Segment = { kind: "field"; name: string } | { kind: "flatten" } | { kind: "multi"; names: string[] } | { kind: "fn"; name: "keys" | "to_upper" };

function parsePath(expression: string): Segment[] {
    const segments: Segment[] = [];
    let rest = expression.trim();
    while (rest.length) {
        if (rest.startsWith(".")) rest = rest.slice(1);
        let match: RegExpMatchArray | null;
        if ((match = rest.match(/^\[\]/))) {
            segments.push({ kind: "flatten" });
        } else if ((match = rest.match(/^\[([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*)\]/))) {
            segments.push({ kind: "multi", names: match[1].split(",").map((n) => n.trim()) });
        } else if ((match = rest.match(/^(keys|to_upper)\(@\)/))) {
            segments.push({ kind: "fn", name: match[1] as "keys" | "to_upper" });
        } else if ((match = rest.match(/^[A-Za-z_][\w]*/))) {
            segments.push({ kind: "field", name: match[0] });
        } else {
            throw new Error(`reference evaluator: unsupported JMESPath at "${rest}" in "${expression}"`);
        }
        rest = rest.slice(match[0].length);
    }
    return segments;
}

function truthy(value: Json): boolean {
    if (value === null || value === undefined || value === false || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === "object") return Object.keys(value).length > 0;
    return true;
}

function evaluatePath(segments: Segment[], root: Json): Json {
    let current: Json = root;
    let projecting = false;
    const apply = (value: Json, segment: Segment): Json => {
        switch (segment.kind) {
            case "field": return value !== null && typeof value === "object" && !Array.isArray(value) ? value[segment.name] ?? null : null;
            case "multi": return value !== null && typeof value === "object" && !Array.isArray(value) ? segment.names.map((n) => value[n] ?? null) : null;
            case "fn":
                if (segment.name === "keys") return value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : null;
                return typeof value === "string" ? value.toUpperCase() : null;
            default: throw new Error("unreachable");
        }
    };
    for (const segment of segments) {
        if (segment.kind === "flatten") {
            const list = projecting ? current : current;
            if (!Array.isArray(list)) return null;
            current = list.flatMap((element: Json) => (Array.isArray(element) ? element : [element])).filter((e: Json) => e !== null && e !== undefined);
            projecting = true;
        } else if (projecting) {
            current = (current as Json[]).map((element) => apply(element, segment)).filter((e) => e !== null && e !== undefined);
        } else {
            current = apply(current, segment);
        }
    }
    return current;
}

function literal(text: string): Json {
    const trimmed = text.trim();
    if (trimmed.startsWith("`") && trimmed.endsWith("`")) return JSON.parse(trimmed.slice(1, -1));
    if (trimmed.startsWith("'") && trimmed.endsWith("'")) return trimmed.slice(1, -1);
    throw new Error(`reference evaluator: unsupported literal ${text}`);
}

/** `{{ a || b }}` against the variables; plain values are returned as they are. */
export function substitute(value: Json, variables: Record<string, Json>): Json {
    if (typeof value !== "string") return value;
    const match = value.match(/^\{\{(.*)\}\}$/s);
    if (!match) return value;
    const [left, ...defaults] = match[1].split("||");
    const segments = parsePath(left);
    const head = segments.shift();
    if (!head || head.kind !== "field" || !(head.name in variables)) throw new Error(`reference evaluator: unknown variable in ${value}`);
    let result = evaluatePath(segments, variables[head.name]);
    for (const fallback of defaults) {
        if (truthy(result)) break;
        result = literal(fallback);
    }
    return result;
}

/** The variable root `request`, as Kyverno passes it for an admission of `object` (operation CREATE). */
export function requestVariables(object: Json): Record<string, Json> {
    return { request: { object, operation: "CREATE" } };
}

// ---------- conditions ----------

const asList = (value: Json): Json[] => (Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]);
const inList = (element: Json, list: Json[]) => list.some((candidate) => (typeof candidate === "string" && typeof element === "string" ? wildcardMatch(candidate, element) : candidate === element));

function condition(entry: { key: Json; operator: string; value: Json }, variables: Record<string, Json>): boolean {
    const key = substitute(entry.key, variables);
    const value = substitute(entry.value, variables);
    switch (entry.operator) {
        case "NotEquals": return JSON.stringify(key) !== JSON.stringify(value);
        case "Equals": return JSON.stringify(key) === JSON.stringify(value);
        case "AnyIn": return asList(key).some((k) => inList(k, asList(value)));
        case "AnyNotIn": return asList(key).some((k) => !inList(k, asList(value)));
        case "AllNotIn": return asList(key).every((k) => !inList(k, asList(value)));
        default: throw new Error(`reference evaluator: unsupported operator ${entry.operator}`);
    }
}

function conditions(block: Json, variables: Record<string, Json>): boolean {
    if (!block) return true;
    const keys = Object.keys(block);
    if (keys.some((k) => k !== "all" && k !== "any")) throw new Error(`reference evaluator: unsupported conditions ${keys.join(",")}`);
    const all = (block.all ?? []).every((c: Json) => condition(c, variables));
    const any = block.any ? block.any.some((c: Json) => condition(c, variables)) : true;
    return all && any;
}

// ---------- patterns ----------

function scalarText(value: Json): string | undefined {
    if (typeof value === "string") return value;
    if (typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return String(value);
    return undefined;
}

function stringPattern(value: Json, pattern: string): boolean {
    return pattern.split("|").map((p) => p.trim()).some((alternative) => {
        if (alternative.startsWith(">")) {
            const bound = Number(alternative.slice(1));
            const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
            return Number.isFinite(number) && number > bound;
        }
        const text = scalarText(value);
        if (text === undefined) return false;
        if (alternative.startsWith("!")) return !wildcardMatch(alternative.slice(1), text);
        return wildcardMatch(alternative, text);
    });
}

function anchorOf(key: string): { anchor: "" | "=" | "X"; name: string } {
    const match = key.match(/^(=|X)\((.*)\)$/);
    if (match) return { anchor: match[1] as "=" | "X", name: match[2] };
    if (/^[(^<+]/.test(key)) throw new Error(`reference evaluator: unsupported anchor ${key}`);
    return { anchor: "", name: key };
}

export function matchesPattern(value: Json, pattern: Json): boolean {
    if (Array.isArray(pattern)) {
        if (pattern.length !== 1) throw new Error("reference evaluator: only one-element array patterns");
        return Array.isArray(value) && value.every((element) => matchesPattern(element, pattern[0]));
    }
    if (pattern !== null && typeof pattern === "object") {
        if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
        return Object.entries(pattern).every(([rawKey, sub]) => {
            const { anchor, name } = anchorOf(rawKey);
            const keys = name.includes("*") ? Object.keys(value).filter((k) => wildcardMatch(name, k)) : Object.prototype.hasOwnProperty.call(value, name) ? [name] : [];
            if (anchor === "X") return keys.length === 0;
            if (keys.length === 0) return anchor === "=";
            return keys.every((k) => matchesPattern(value[k], sub));
        });
    }
    if (typeof pattern === "boolean") return value === pattern;
    if (typeof pattern === "number") return typeof value === "number" ? value === pattern : typeof value === "string" && /^-?\d+$/.test(value) && Number(value) === pattern;
    if (typeof pattern === "string") return stringPattern(value, pattern);
    throw new Error(`reference evaluator: unsupported pattern ${JSON.stringify(pattern)}`);
}

/** Kyverno's verdict for one rule on a Pod: "pass", "fail", or "skip" when preconditions stop it. */
export function evaluateRule(rule: Json, pod: Json): "pass" | "fail" | "skip" {
    const variables = requestVariables(pod);
    if (!conditions(rule.preconditions, variables)) return "skip";
    const validate = rule.validate;
    if (validate.pattern) return matchesPattern(pod, validate.pattern) ? "pass" : "fail";
    if (validate.anyPattern) return validate.anyPattern.some((p: Json) => matchesPattern(pod, p)) ? "pass" : "fail";
    if (validate.deny) return conditions(validate.deny.conditions, variables) ? "fail" : "pass";
    if (validate.foreach) {
        for (const each of validate.foreach) {
            const elements = asList(substitute(`{{ ${each.list} }}`, variables));
            for (const element of elements) {
                const scoped = { ...variables, element };
                if (each.deny && conditions(each.deny.conditions, scoped)) return "fail";
                if (each.pattern && !matchesPattern(element, each.pattern)) return "fail";
            }
        }
        return "pass";
    }
    throw new Error(`reference evaluator: unsupported validate ${Object.keys(validate).join(",")}`);
}

// ---------- the fields a rule names ----------

function expandPath(expression: string): string[] {
    // `request.object.spec.[a, b][].x[]` → `spec.a[*].x`, `spec.b[*].x`; `element.x[]` → `x`.
    const body = expression.replace(/^\s*(request\.object\.|element\.)/, "").replace(/\s*\|\|.*$/s, "").trim();
    const multi = body.match(/^(.*?)\[([^\]]+,[^\]]+)\]\[\](.*)$/);
    const variants = multi ? multi[2].split(",").map((name) => `${multi[1]}${name.trim()}[*]${multi[3]}`) : [body];
    return variants.map((v) => v.replace(/\[\]\.keys\(@\)\[\]$/, "[*]").replace(/\.to_upper\(@\)/g, "").replace(/\[\]$/, "").replace(/\[\]/g, "[*]").replace(/\[\*\]\./g, "[*]."));
}

function templatePaths(value: Json): string[] {
    if (typeof value !== "string") return [];
    const match = value.match(/^\{\{(.*)\}\}$/s);
    if (!match || !/^\s*(request\.object|element)\./.test(match[1])) return [];
    return expandPath(match[1]);
}

function patternLeaves(pattern: Json, prefix: string, out: Set<string>): void {
    if (Array.isArray(pattern)) return patternLeaves(pattern[0], `${prefix}[*]`, out);
    if (pattern !== null && typeof pattern === "object") {
        for (const [key, sub] of Object.entries(pattern)) patternLeaves(sub, prefix ? `${prefix}.${anchorOf(key).name}` : anchorOf(key).name, out);
        return;
    }
    out.add(prefix);
}

/** The object fields a Kyverno rule reads, in the form of our rules' `reads`. */
export function fieldsOf(rule: Json): Set<string> {
    const out = new Set<string>();
    const validate = rule.validate;
    for (const pattern of [validate.pattern, ...(validate.anyPattern ?? [])].filter(Boolean)) patternLeaves(pattern, "", out);
    const fromConditions = (block: Json, prefixes: string[]) => {
        for (const entry of [...(block?.all ?? []), ...(block?.any ?? [])]) {
            for (const path of [...templatePaths(entry.key), ...templatePaths(entry.value)]) {
                for (const prefix of prefixes) out.add(prefix ? `${prefix}.${path}` : path);
            }
        }
    };
    if (validate.deny) fromConditions(validate.deny.conditions, [""]);
    for (const each of validate.foreach ?? []) {
        const prefixes = expandPath(each.list).map((p) => `${p}[*]`.replace(/\[\*\]\[\*\]$/, "[*]"));
        if (each.deny) fromConditions(each.deny.conditions, prefixes);
        if (each.pattern) for (const prefix of prefixes) patternLeaves(each.pattern, prefix, out);
    }
    return out;
}
