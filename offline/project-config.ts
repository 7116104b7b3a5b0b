/**
 * What the Pulumi engine checks of a stack's config against `Pulumi.yaml` before any program runs, done
 * offline so the mock runtime cannot hide it again (issue: three example stacks were refused by the
 * engine with "Stack ... is missing configuration values" and no test saw it).
 *
 * Encoded from pulumi/pulumi `sdk/go/common/workspace`:
 * - project.json (the project file's JSON schema): a config entry is a shorthand scalar or array, or a
 *   declaration with only `type`, `items`, `description`, `secret`, `default`, `value`; `type` is one of
 *   string, integer, boolean, array; `items` is `{type, items?}`.
 * - project.go `RewriteShorthandConfigValues`: a shorthand entry is a `default` for a key of the project's
 *   namespace and a `value` for another namespace's key.
 * - project.go `Project.Validate`: not both `default` and `value`; an array declares `items`; a typed
 *   default matches its type; another namespace's key has a `value` and neither `type` nor `default`.
 * - config.go `mergeConfig`: a project key the stack leaves out with neither `default` nor `value` is
 *   missing ("Stack '<stack>' is missing configuration value(s) …"); otherwise the default (or value) is
 *   applied as if the stack had set it.
 * - config.go `validateStackConfigValue` and project.go `ValidateConfigValue`: for a typed key, a secret
 *   declaration needs an encrypted value, and the value matches the type (a stack's scalars are strings:
 *   integers and "true"/"false" are accepted as text).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../components/project";
import { PROJECT, type StackFile } from "../spec/stackfile";

const SIMPLE_TYPES = ["string", "integer", "boolean", "array"] as const;
const DECLARATION_KEYS = ["type", "items", "description", "secret", "default", "value"];

interface ItemsType {
    readonly type: string;
    readonly items?: ItemsType;
}

export interface ConfigDeclaration {
    readonly type?: string;
    readonly items?: ItemsType;
    readonly description?: string;
    readonly secret?: boolean;
    readonly default?: unknown;
    readonly value?: unknown;
}

/** A refusal the engine would print before the program starts. */
export class ProjectConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProjectConfigError";
    }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
const isPrimitive = (value: unknown) => typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isInteger(value));

function isProjectKey(key: string): boolean {
    return !key.includes(":") || key.startsWith(`${PROJECT}:`);
}

/** The full key (`clusters:meta`) of a declared key (`meta` or `clusters:meta`). */
function fullKey(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** project.go `ValidateConfigValue`: whether a value fits a declared type. */
export function fitsType(type: string, items: ItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return isObject(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((item) => fitsType(items.type, items.items, item));
    }
}

function typeName(type: string, items: ItemsType | undefined): string {
    return items ? `array<${typeName(items.type, items.items)}>` : type;
}

function itemsProblem(items: unknown, at: string): string | undefined {
    if (!isObject(items) || typeof items.type !== "string") {
        return `${at}: items must declare a type`;
    }
    if (!(SIMPLE_TYPES as readonly string[]).includes(items.type)) {
        return `${at}: type must be one of ${SIMPLE_TYPES.join(", ")}, not '${items.type}'`;
    }
    if (items.type === "array") {
        return items.items === undefined ? `${at}: an array type needs 'items'` : itemsProblem(items.items, `${at}/items`);
    }
    return undefined;
}

/**
 * Reads and validates the project's config declarations (Pulumi.yaml `config:`), shorthand rewritten
 * as the engine rewrites it. Throws ProjectConfigError with every problem.
 */
export function projectConfigDeclarations(projectText: string, fileName = "Pulumi.yaml"): Record<string, ConfigDeclaration> {
    const project = parse(projectText) as Record<string, unknown> | null;
    if (!isObject(project) || project.name !== PROJECT) {
        throw new ProjectConfigError(`${fileName}: the project must be named '${PROJECT}'`);
    }
    const config = project.config ?? {};
    if (!isObject(config)) {
        throw new ProjectConfigError(`${fileName}: config must be a map of configuration keys to their declarations`);
    }
    const problems: string[] = [];
    const declarations: Record<string, ConfigDeclaration> = {};
    for (const [key, raw] of Object.entries(config)) {
        const at = `${fileName}#/config/${key}`;
        let declaration: ConfigDeclaration;
        if (isPrimitive(raw) || Array.isArray(raw)) {
            declaration = isProjectKey(key) ? { default: raw } : { value: raw };
        } else if (isObject(raw)) {
            const unknown = Object.keys(raw).filter((name) => !DECLARATION_KEYS.includes(name));
            if (unknown.length > 0) {
                problems.push(`${at}: additionalProperties ${unknown.map((name) => `'${name}'`).join(", ")} not allowed (a declaration has ${DECLARATION_KEYS.join(", ")}; an object default goes under 'default')`);
                continue;
            }
            declaration = raw as ConfigDeclaration;
        } else {
            problems.push(`${at}: must be a string, integer, boolean, array or a declaration`);
            continue;
        }
        if (declaration.type !== undefined && !(SIMPLE_TYPES as readonly string[]).includes(declaration.type)) {
            problems.push(`${at}/type: must be one of ${SIMPLE_TYPES.join(", ")}, not '${String(declaration.type)}' (an object is declared without a type)`);
            continue;
        }
        if (declaration.secret !== undefined && typeof declaration.secret !== "boolean") {
            problems.push(`${at}/secret: must be a boolean`);
        }
        if (declaration.items !== undefined) {
            const problem = itemsProblem(declaration.items, `${at}/items`);
            if (problem) problems.push(problem);
        }
        if (declaration.default !== undefined && declaration.value !== undefined) {
            problems.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
        }
        if (isProjectKey(key)) {
            if (declaration.type === "array" && declaration.items === undefined) {
                problems.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
            } else if (declaration.type !== undefined && declaration.default !== undefined && !fitsType(declaration.type, declaration.items, declaration.default)) {
                problems.push(`The default value specified for configuration key '${key}' is not of the expected type '${typeName(declaration.type, declaration.items)}'`);
            }
        } else if (declaration.type !== undefined) {
            problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
        } else if (declaration.default !== undefined) {
            problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`);
        } else if (declaration.value === undefined) {
            problems.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
        }
        Object.defineProperty(declarations, key, { value: declaration, enumerable: true });
    }
    if (problems.length > 0) {
        throw new ProjectConfigError(`could not validate '${fileName}':\n${problems.map((problem) => `  * ${problem}`).join("\n")}`);
    }
    return declarations;
}

/** config.go `formatMissingKeys`. */
function formatMissing(keys: string[]): string {
    if (keys.length === 1) {
        return `'${keys[0]}'`;
    }
    const sorted = [...keys].sort();
    return `${sorted.slice(0, -1).map((key) => `'${key}'`).join(", ")} and '${sorted[sorted.length - 1]}'`;
}

/** A stack file's value as the engine holds it: scalars are text, objects and lists stay structured. */
function engineValue(value: unknown): unknown {
    return isObject(value) || Array.isArray(value) ? value : value === null || value === undefined ? "" : String(value);
}

/**
 * Checks one stack's config against the project's declarations as the engine does before the program
 * runs, and returns its config with the declared defaults applied (what the program then receives).
 * Throws ProjectConfigError with the engine's own wording.
 */
export function applyProjectConfig(
    stack: string, file: StackFile, declarations: Readonly<Record<string, ConfigDeclaration>>,
): StackFile {
    const config = new Map<string, unknown>([
        ...Object.entries(file.values).map(([key, value]): [string, unknown] => [key.includes(":") ? key : `${PROJECT}:${key}`, value]),
        ...Object.entries(file.providerConfig),
    ]);
    const encrypted = new Set(file.encryptedPaths.map((entry) => entry.split(/[.[]/)[0]));
    const missing: string[] = [];
    const problems: string[] = [];
    const values = { ...file.values };
    for (const key of Object.keys(declarations).sort()) {
        const declaration = declarations[key];
        const target = fullKey(key);
        const found = config.has(target);
        const fallback = declaration.value ?? declaration.default;
        if (!found && fallback === undefined) {
            if (isProjectKey(key)) {
                missing.push(key);
            }
            continue;
        }
        if (!found) {
            if (isProjectKey(key)) {
                Object.defineProperty(values, target.slice(PROJECT.length + 1), { value: structuredClone(fallback), enumerable: true, writable: true, configurable: true });
            }
            continue;
        }
        if (declaration.type === undefined) {
            continue;
        }
        const name = target.slice(PROJECT.length + 1);
        const isEncrypted = encrypted.has(name);
        if (declaration.secret && !isEncrypted) {
            problems.push(`Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`);
        } else if (!isEncrypted && !fitsType(declaration.type, declaration.items, engineValue(config.get(target)))) {
            problems.push(`Stack '${stack}' with configuration key '${key}' must be of type '${typeName(declaration.type, declaration.items)}'`);
        }
    }
    if (missing.length > 0) {
        throw new ProjectConfigError(`Stack '${stack}' is missing configuration ${missing.length === 1 ? "value" : "values"} ${formatMissing(missing)}`);
    }
    if (problems.length > 0) {
        throw new ProjectConfigError(problems.join("\n"));
    }
    return { ...file, values };
}

/** Reads the project's Pulumi.yaml and checks one stack file against it (used by `loadOfflineStack`). */
export function checkProjectConfig(stack: string, file: StackFile, projectFile = path.join(PROJECT_ROOT, "Pulumi.yaml")): StackFile {
    return applyProjectConfig(stack, file, projectConfigDeclarations(fs.readFileSync(projectFile, "utf8"), path.basename(projectFile)));
}
