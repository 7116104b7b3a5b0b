/**
 * Property and fuzz tests over the stack schema (issue 15, "What done looks like"): hostile values at
 * every path the schema knows, on the four example stacks. For every input:
 * - nothing but a SpecError is thrown, and every refusal names a field path and says what is wrong;
 * - no secret value appears in any message;
 * - Object.prototype is untouched;
 * - for an accepted input, nothing that reaches Ansible can be templated (the rendered Kubespray
 *   inventory holds no Jinja delimiter outside the program's own SSH arguments and values it marks
 *   `!unsafe`), nothing that reaches a command line can be read as an option or a second word, and the
 *   GitOps path stays a plain directory.
 * The runs are sized to finish well under a minute on the project's 2-core machine.
 */
import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { isScalar, parseDocument, visit } from "yaml";
import { z } from "zod";
import { renderInventory } from "../../components/kubespray/inventory";
import { clusterConfigSchema, loadClusterSpec, readStackFile, SpecError, withSecretStandIns, type ClusterSpec } from "../../spec";
import { ALLOWED_EXTRA_VARS } from "../../spec/rules/kubespray";
import { unsafeTextProblem } from "../../spec/text";

const STACKS = path.join(__dirname, "..", "..", "stacks");
const examples = fs.readdirSync(STACKS).map((file) => withSecretStandIns(readStackFile(fs.readFileSync(path.join(STACKS, file), "utf8")).values).values);

type Path = (string | number)[];

/** Every path to a leaf or branch of a JSON-like value. */
function paths(value: unknown, prefix: Path = []): Path[] {
    const out: Path[] = [prefix];
    if (Array.isArray(value)) {
        value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
    } else if (value && typeof value === "object") {
        for (const [key, item] of Object.entries(value)) {
            out.push(...paths(item, [...prefix, key]));
        }
    }
    return out;
}

function unwrap(schema: z.ZodType): z.ZodType {
    let current: z.ZodType = schema;
    for (;;) {
        if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodNullable) {
            current = (current as unknown as { unwrap(): z.ZodType }).unwrap();
        } else if (current instanceof z.ZodPipe) {
            current = (current as unknown as { in: z.ZodType }).in;
        } else {
            return current;
        }
    }
}

/** Every path the schema knows (list items as index 0, map entries as key "x"), with its schema. */
function schemaPaths(schema: z.ZodType, prefix: Path = []): { path: Path; schema: z.ZodType }[] {
    const inner = unwrap(schema);
    const out = [{ path: prefix, schema: inner }];
    if (inner instanceof z.ZodObject) {
        for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
            out.push(...schemaPaths(child, [...prefix, key]));
        }
    } else if (inner instanceof z.ZodArray) {
        out.push(...schemaPaths(inner.element as z.ZodType, [...prefix, 0]));
    } else if (inner instanceof z.ZodRecord) {
        out.push(...schemaPaths(inner.valueType as z.ZodType, [...prefix, "x"]));
    } else if (inner instanceof z.ZodUnion) {
        for (const option of inner.options as z.ZodType[]) {
            out.push(...schemaPaths(option, prefix).slice(1));
        }
    }
    return out;
}

const SCHEMA_PATHS = schemaPaths(clusterConfigSchema).filter((entry) => entry.path.length > 0);

function setAt(value: unknown, at: Path, replacement: unknown): unknown {
    if (at.length === 0) {
        return replacement;
    }
    const container = value !== null && typeof value === "object" ? value : typeof at[0] === "number" ? [] : {};
    const copy: Record<string | number, unknown> = Array.isArray(container) ? [...container] as never : { ...(container as object) };
    const [head, ...rest] = at;
    if (replacement === undefined && rest.length === 0) {
        delete copy[head];
        return copy;
    }
    Object.defineProperty(copy, head, { value: setAt(Object.hasOwn(copy, head) ? copy[head] : undefined, rest, replacement), enumerable: true, writable: true, configurable: true });
    return copy;
}

const SECRET_CANARY = "canary-SECRET-7f3a";
const NUMERIC_CANARY = 424242431;

const hostile = fc.oneof(
    fc.constant(undefined), fc.constant(null), fc.constant(""), fc.constant("$(reboot)"), fc.constant("a; rm -rf /"),
    fc.constant("`id`"), fc.constant("../../etc/passwd"), fc.constant("10.0.0.0/8"), fc.constant("CHANGEME"),
    fc.constant("{{ lookup('pipe','id > /tmp/x') }}"), fc.constant("{% for x in y %}"), fc.constant("{# c #}"),
    fc.constant("-v/:/host"), fc.constant("--privileged"), fc.constant("README.md"), fc.constant(".sops.yaml"),
    fc.constant("constructor"), fc.constant("__proto__"), fc.constant("toString"), fc.constant("hasOwnProperty"),
    fc.constant("a b c d e"), fc.constant("99 99 99 99 99"), fc.constant("0 0 31 2 *"),
    fc.constant("host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample"), fc.constant("10.0.0.2"), fc.constant("10.0.0.0/30"),
    fc.constant(1e308), fc.constant(-1), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(NaN), fc.constant(Infinity),
    fc.constant(-Infinity), fc.constant(3.5), fc.constant(0), fc.constant(true), fc.constant([]), fc.constant({}),
    fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')), fc.constant({ constructor: { enabled: true } }),
    fc.constant("x".repeat(5000)), fc.constant("y".repeat(70_000)), fc.constant(Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`)),
    fc.constant(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]))),
    fc.constant(JSON.parse("[".repeat(40) + "]".repeat(40))),
    fc.constant("\u001b[2J\u001b[31mred * * * *"), fc.constant("line\nbreak"),
    // Second round of issue #15: closing delimiters alone, C1 and bidi characters, Markdown/HTML, and
    // extraVars that run commands or weaken the cluster without any Jinja.
    fc.constant("}}"), fc.constant("%}"), fc.constant("a\u009b31mb"), fc.constant("\u202eevil"), fc.constant("a\u200bb"), fc.constant("a\u2028b"),
    fc.constant("<img src=x onerror=alert(1)>"), fc.constant("[x](javascript:alert(1))"), fc.constant("a|b"),
    fc.constant({ download_run_once: true, download_localhost: true, image_info_command_on_localhost: "id > /tmp/x; true" }),
    fc.constant({ kube_encryption_algorithm: "identity: {}\n    - secretbox" }), fc.constant({ kube_read_only_port: 10255, etcd_peer_client_auth: false }),
    fc.constant({ kubeconfig_localhost: true, artifacts_dir: "/root" }), fc.constant({ kube_log_level: "$(id)" }), fc.constant({ eviction_hard: { "memory.available": "1'; id" } }),
    fc.string(), fc.string({ unit: "binary" }), fc.integer(), fc.jsonValue({ maxDepth: 3 }),
);

/** A mutation: a path of the value or of the schema, or a key every object inherits added somewhere. */
const mutation = fc.tuple(fc.nat(), fc.nat({ max: 3 }), hostile);

function mutate(config: unknown, [pick, kind, replacement]: [number, number, unknown]): unknown {
    if (kind === 0) {
        const all = SCHEMA_PATHS;
        return setAt(config, all[pick % all.length].path, replacement);
    }
    const all = paths(config).filter((p) => p.length > 0);
    const at = all[pick % all.length];
    if (kind === 1) {
        const names = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "prototype"];
        return setAt(config, [...at.slice(0, -1), names[pick % names.length]], replacement ?? { enabled: true });
    }
    return setAt(config, at, replacement);
}

function withCanaries(config: Record<string, unknown>): Record<string, unknown> {
    const secrets = (config.secrets ?? {}) as Record<string, unknown>;
    return {
        ...config,
        secrets: {
            ...secrets,
            gitToken: SECRET_CANARY,
            baseRepoToken: NUMERIC_CANARY,
            services: { ...(secrets.services as object ?? {}), "kube-prometheus-stack": { grafanaAdminPassword: `${SECRET_CANARY}-2`, extra: NUMERIC_CANARY } },
        },
    };
}

const JINJA = /\{\{|\{%|\{#/;

/** Scalars of the rendered inventory that Ansible would template: Jinja delimiters, not marked !unsafe. */
function templatedScalars(files: Record<string, string>): string[] {
    const found: string[] = [];
    for (const [file, text] of Object.entries(files)) {
        const document = parseDocument(text);
        visit(document, {
            Pair(_, pair) {
                const key = isScalar(pair.key) ? String(pair.key.value) : "";
                // The program's own SSH arguments use Ansible variables on purpose.
                if (key === "ansible_ssh_common_args") return visit.SKIP;
                return undefined;
            },
            Scalar(_, scalar) {
                if (scalar.tag !== "!unsafe" && typeof scalar.value === "string" && JINJA.test(scalar.value)) {
                    found.push(`${file}: ${scalar.value.slice(0, 80)}`);
                }
            },
        });
    }
    return found;
}

/** Values the runner passes as command-line words: never an option, never two words, never a shell character. */
function commandLineWords(spec: ClusterSpec): [string, string][] {
    return [
        ["kubespray.runner.image", spec.kubespray.runner.image],
        ["kubespray.runner.workDir", spec.kubespray.runner.workDir],
        ["kubespray.version", spec.kubespray.version],
        ["infrastructure.ssh.user", spec.infrastructure.ssh.user],
        ["infrastructure.bastion.address", spec.infrastructure.bastion.address ?? "x"],
        ...spec.nodes.flatMap((node): [string, string][] => [[`node ${node.name}`, node.name], [`address of ${node.name}`, node.address]]),
    ];
}

/** An accepted extraVars value: a boolean, a finite number, or plain text, alone or in a list or map. */
function plainExtraVar(value: unknown): boolean {
    if (Array.isArray(value)) return value.every((item) => !Array.isArray(item) && typeof item !== "object" && plainExtraVar(item));
    if (value !== null && typeof value === "object") return Object.values(value).every((item) => typeof item !== "object" && plainExtraVar(item));
    return typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value)) || (typeof value === "string" && /^[A-Za-z0-9 ._:/%+=,@-]*$/.test(value));
}

function checkAccepted(spec: ClusterSpec): void {
    // Only allow-listed Kubespray variables, with values that cannot start a template, a YAML structure or a shell word.
    for (const [key, value] of Object.entries(spec.kubespray.extraVars)) {
        assert.ok(ALLOWED_EXTRA_VARS.includes(key), `extraVars.${key} was accepted but is not allow-listed`);
        assert.ok(plainExtraVar(value), `extraVars.${key} was accepted with ${JSON.stringify(value).slice(0, 80)}`);
    }
    // Free text that reaches terminals and plan.md holds no control or invisible character.
    assert.strictEqual(unsafeTextProblem(spec.operations.pausedReason ?? ""), undefined, "operations.pausedReason");
    const files = renderInventory({ spec, apiHost: spec.infrastructure.network.apiVip ?? "api.example", bastionHost: spec.infrastructure.bastion.address });
    assert.deepStrictEqual(templatedScalars(files), [], "an accepted value would be templated by Ansible");
    for (const [what, word] of commandLineWords(spec)) {
        assert.match(word, /^[A-Za-z0-9_.][A-Za-z0-9._:/@=+-]*$/, `${what} is not a safe command-line word: ${word.slice(0, 60)}`);
    }
    const gitopsPath = spec.gitops?.repository.path;
    if (gitopsPath) {
        assert.ok(gitopsPath.split("/").every((segment) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(segment) && !/\.(ya?ml|md|json|txt)$/i.test(segment)), gitopsPath);
    }
}

function checkRefused(error: unknown, config: unknown): void {
    if (!(error instanceof SpecError)) {
        throw new Error(`unhandled ${String(error)} for ${JSON.stringify(config)?.slice(0, 400)}`);
    }
    assert.ok(error.issues.length > 0);
    for (const issue of error.issues) {
        assert.ok(issue.path.length > 0, `a refusal without a field path: ${issue.message}`);
        assert.ok(issue.message.length > 0, `${issue.path} says nothing`);
    }
    assert.ok(!error.message.includes("canary") && !error.message.includes(String(NUMERIC_CANARY)), `a secret was echoed:\n${error.message}`);
    assert.ok(!/undefined|\[object Object\]|NaN(?! \(not a number\))/.test(error.message), `a message reads badly:\n${error.message}`);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(error.message), `a message carries a control character to the terminal:\n${JSON.stringify(error.message)}`);
}

function assertPrototypeClean(): void {
    assert.deepStrictEqual(Object.getOwnPropertyNames(Object.prototype).filter((name) => !BUILTIN_PROTOTYPE.has(name)), []);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
}
const BUILTIN_PROTOTYPE = new Set(Object.getOwnPropertyNames(Object.prototype));

describe("fuzzing the stack schema", () => {
    afterEach(assertPrototypeClean);

    it("the example stacks are accepted and pass the accepted-input checks", () => {
        for (const example of examples) {
            checkAccepted(loadClusterSpec(example).spec);
        }
    });

    it("hostile values at any path of the examples or the schema: a valid spec or field-path errors, never a crash, a template or an echoed secret", () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: examples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
            let config: unknown = withCanaries(examples[which]);
            for (const change of mutations) {
                config = mutate(config, change);
            }
            let spec: ClusterSpec | undefined;
            try {
                spec = loadClusterSpec(config as Record<string, unknown>).spec;
            } catch (error) {
                checkRefused(error, config);
            }
            if (spec) {
                checkAccepted(spec);
            }
            assertPrototypeClean();
        }), { numRuns: 500 });
    });

    it("well-formed random values at every schema path are accepted or refused with a path, never crash", () => {
        const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer({ min: -5, max: 70_000 }), fc.boolean(), fc.constant("10.0.0.77"), fc.constant("10.9.0.0/16"), fc.constant("1.34.2"));
        fc.assert(fc.property(fc.integer({ min: 0, max: examples.length - 1 }), fc.array(fc.tuple(fc.nat(), leaf), { minLength: 1, maxLength: 3 }), (which, changes) => {
            let config: unknown = withCanaries(examples[which]);
            for (const [pick, value] of changes) {
                config = setAt(config, SCHEMA_PATHS[pick % SCHEMA_PATHS.length].path, value);
            }
            try {
                checkAccepted(loadClusterSpec(config as Record<string, unknown>).spec);
            } catch (error) {
                if (error instanceof assert.AssertionError) throw error;
                checkRefused(error, config);
            }
        }), { numRuns: 400 });
    });

    it("random extraVars maps (Kubespray names, allowed or not, with hostile values) are accepted only when allow-listed and plain", () => {
        const names = fc.constantFrom(...ALLOWED_EXTRA_VARS, "download_run_once", "download_localhost", "image_info_command_on_localhost", "kube_encryption_algorithm",
            "kube_encrypt_token", "kube_read_only_port", "kubelet_authentication_token_webhook", "etcd_peer_client_auth", "kubeconfig_localhost", "artifacts_dir",
            "credentials_dir", "kube_version", "serial", "ansible_ssh_extra_args", "some_var");
        const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("}}", "{{ x }}", "{%", "#}", "a;b", "$(id)", "`id`", "a\nb", "a\u009bb", "\u202e", "'", "\"", "256Mi", "10%", "rr"));
        const scalar = fc.oneof(text, fc.integer(), fc.boolean(), fc.double());
        const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom("memory.available", "nodefs.available", "a b", "x"), fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })), { maxKeys: 3 }));
        fc.assert(fc.property(fc.dictionary(names, value, { maxKeys: 4 }), (extraVars) => {
            const config = { ...withCanaries(examples[0]), kubespray: { ...(examples[0].kubespray as object ?? {}), extraVars } };
            let spec: ClusterSpec | undefined;
            try {
                spec = loadClusterSpec(config).spec;
            } catch (error) {
                checkRefused(error, config);
                for (const issue of (error as SpecError).issues) {
                    assert.ok(!/\{\{, \{% or \{#/.test(issue.message), `a refusal describes delimiters the value may not hold: ${issue.message}`);
                }
            }
            if (spec) checkAccepted(spec);
        }), { numRuns: 300 });
    });

    it("any stack file text is read or refused with a SpecError naming the line, never a crash", () => {
        const texts = fs.readdirSync(STACKS).map((file) => fs.readFileSync(path.join(STACKS, file), "utf8"));
        const edit = fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(": ", "- ", "&a ", "*a", "!!binary ", "!unsafe ", "{", "[", "\"", "'", "\t", ".inf", "__proto__: ", "<<: ")));
        fc.assert(fc.property(fc.integer({ min: 0, max: texts.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), (which, edits) => {
            let text = texts[which];
            for (const [at, cut, insert] of edits) {
                const i = at % (text.length + 1);
                text = text.slice(0, i) + insert + text.slice(i + cut);
            }
            try {
                const file = readStackFile(text);
                loadClusterSpec(withSecretStandIns(file.values).values);
            } catch (error) {
                if (!(error instanceof SpecError)) {
                    throw new Error(`unhandled ${String(error)} reading:\n${text.slice(0, 600)}`);
                }
            }
            assertPrototypeClean();
        }), { numRuns: 200 });
    });

    it("rejects values that are not objects at the top level with a path", () => {
        try {
            loadClusterSpec({ meta: "cluster", infrastructure: [] });
            assert.fail("expected SpecError");
        } catch (error) {
            assert.ok(error instanceof SpecError);
            assert.deepStrictEqual(error.issues.map((i) => i.path), ["meta", "infrastructure"]);
        }
    });
});

describe("every value of the schema is bounded", () => {
    const unbounded: string[] = [];
    for (const { path: at, schema } of SCHEMA_PATHS) {
        const where = at.join(".");
        if (schema instanceof z.ZodString && !(Number.isFinite(schema.maxLength) && (schema.maxLength ?? Infinity) <= 64 * 1024)) {
            unbounded.push(`${where}: a string without a length bound`);
        }
        if (schema instanceof z.ZodArray) {
            const max = (schema._zod.def.checks ?? []).find((check) => (check._zod.def as { check?: string }).check === "max_length");
            if (!max) unbounded.push(`${where}: a list without a length bound`);
        }
        if (schema instanceof z.ZodRecord && !(z.globalRegistry.get(schema) as { maxEntries?: number } | undefined)?.maxEntries) {
            unbounded.push(`${where}: a map without an entry bound`);
        }
        if (schema instanceof z.ZodNumber && !(Number.isFinite(schema.maxValue) || schema.isInt)) {
            unbounded.push(`${where}: a number that may be any float`);
        }
    }

    it("strings, lists and maps carry a bound (services.<svc>.values entries are bounded by spec/bounds.ts)", () => {
        assert.deepStrictEqual(unbounded, []);
    });
});
