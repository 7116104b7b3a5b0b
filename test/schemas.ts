/**
 * Validation against the real schemas in ../shared/schemas: CRD-derived JSON schemas (strict variants
 * reject unknown fields) for Kubernetes objects, and the pulumi-vsphere schema extract for vSphere inputs.
 */
import Ajv from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as path from "path";

export const SCHEMAS = path.resolve(__dirname, "..", "..", "shared", "schemas");

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const format of ["int-or-string", "int32", "int64", "byte", "quantity"]) {
    ajv.addFormat(format, true);
}
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

/** Errors of a Kubernetes object against `<group>/<kind>_<version>.strict.json`; [] when valid. */
export function validateObject(object: { apiVersion: string; kind: string }): string[] {
    const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
    const file = path.join(SCHEMAS, group, `${object.kind.toLowerCase()}_${version}.strict.json`);
    if (!fs.existsSync(file)) {
        throw new Error(`no schema for ${object.apiVersion} ${object.kind} at ${file}`);
    }
    let validate = compiled.get(file);
    if (!validate) {
        validate = ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")));
        compiled.set(file, validate);
    }
    return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${e.params.additionalProperty})` : ""}`);
}

type PulumiSchemaType = { type?: string; $ref?: string; items?: PulumiSchemaType; additionalProperties?: PulumiSchemaType; properties?: Record<string, PulumiSchemaType>; required?: string[] };

const vsphereSchema = () => JSON.parse(fs.readFileSync(path.join(SCHEMAS, "vsphere", "schema-subset.json"), "utf8")) as {
    resources: Record<string, { inputProperties: Record<string, PulumiSchemaType>; requiredInputs?: string[] }>;
    functions: Record<string, { inputs?: { properties: Record<string, PulumiSchemaType>; required?: string[] } }>;
    types: Record<string, { properties: Record<string, PulumiSchemaType>; required?: string[] }>;
};

/** Errors of a resource's inputs (or an invoke's arguments) against the pulumi-vsphere schema. */
export function validateVsphere(token: string, inputs: Record<string, unknown>, kind: "resource" | "function" = "resource"): string[] {
    const schema = vsphereSchema();
    const entry = kind === "resource" ? schema.resources[token] : schema.functions[token]?.inputs;
    if (!entry) {
        return [`${token} is not in the vSphere schema`];
    }
    const properties = "inputProperties" in entry ? entry.inputProperties : entry.properties;
    const required = "requiredInputs" in entry ? entry.requiredInputs : (entry as { required?: string[] }).required;
    return checkObject(schema, properties, required ?? [], inputs, token);
}

function checkObject(schema: ReturnType<typeof vsphereSchema>, properties: Record<string, PulumiSchemaType>, required: string[], value: Record<string, unknown>, at: string): string[] {
    const errors: string[] = [];
    for (const name of required) {
        if (value[name] === undefined) {
            errors.push(`${at}.${name} is required`);
        }
    }
    for (const [name, inner] of Object.entries(value)) {
        if (inner === undefined) {
            continue;
        }
        const property = properties[name];
        if (!property) {
            errors.push(`${at}.${name} is not a property of the schema`);
            continue;
        }
        errors.push(...checkValue(schema, property, inner, `${at}.${name}`));
    }
    return errors;
}

function checkValue(schema: ReturnType<typeof vsphereSchema>, type: PulumiSchemaType, value: unknown, at: string): string[] {
    if (typeof value === "string" && (value === "[unknown]" || value === "[secret]")) {
        return [];
    }
    if (type.$ref) {
        const ref = schema.types[type.$ref.replace("#/types/", "")];
        if (!ref) return [`${at}: unknown type ${type.$ref}`];
        if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${at} must be an object`];
        return checkObject(schema, ref.properties, ref.required ?? [], value as Record<string, unknown>, at);
    }
    switch (type.type) {
        case "string": return typeof value === "string" ? [] : [`${at} must be a string`];
        case "integer": return Number.isInteger(value) ? [] : [`${at} must be an integer`];
        case "number": return typeof value === "number" ? [] : [`${at} must be a number`];
        case "boolean": return typeof value === "boolean" ? [] : [`${at} must be a boolean`];
        case "array":
            return Array.isArray(value) ? value.flatMap((item, i) => checkValue(schema, type.items ?? {}, item, `${at}[${i}]`)) : [`${at} must be an array`];
        case "object":
            if (typeof value !== "object" || value === null) return [`${at} must be an object`];
            return Object.entries(value).flatMap(([k, v]) => checkValue(schema, type.additionalProperties ?? {}, v, `${at}.${k}`));
        default:
            return [];
    }
}

/**
 * The CEL rules (x-kubernetes-validations) of the Flux CRDs that ajv cannot evaluate, checked in code:
 * GitRepository `serviceAccountName` only with provider azure or aws; Kustomization `kubeConfig`
 * with exactly one of configMapRef and secretRef.
 */
export function celProblems(object: { kind: string; spec?: Record<string, any> }): string[] {
    const spec = object.spec ?? {};
    const problems: string[] = [];
    if (object.kind === "GitRepository" && spec.serviceAccountName !== undefined && !["azure", "aws"].includes(spec.provider)) {
        problems.push("serviceAccountName can only be set when provider is 'azure' or 'aws'");
    }
    if (object.kind === "Kustomization" && spec.kubeConfig !== undefined) {
        const refs = ["configMapRef", "secretRef"].filter((k) => spec.kubeConfig[k] !== undefined);
        if (refs.length !== 1) {
            problems.push("exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified");
        }
    }
    return problems;
}
