import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { loadClusterSpec, readStackFile, SpecError } from "../../spec";

const STACKS = path.join(__dirname, "..", "..", "stacks");
const examples = fs.readdirSync(STACKS).map((file) => readStackFile(fs.readFileSync(path.join(STACKS, file), "utf8")).values);

/** Every path to a leaf or branch of a JSON-like value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    const out: (string | number)[][] = [prefix];
    if (Array.isArray(value)) {
        value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
    } else if (value && typeof value === "object") {
        for (const [key, item] of Object.entries(value)) {
            out.push(...paths(item, [...prefix, key]));
        }
    }
    return out;
}

function setAt(value: unknown, at: (string | number)[], replacement: unknown): unknown {
    if (at.length === 0) {
        return replacement;
    }
    const copy: Record<string | number, unknown> = Array.isArray(value) ? [...value] as never : { ...(value as object) };
    const [head, ...rest] = at;
    if (replacement === undefined && rest.length === 0) {
        delete copy[head];
        return copy;
    }
    copy[head] = setAt(copy[head], rest, replacement);
    return copy;
}

const hostile = fc.oneof(
    fc.constant(undefined), fc.constant(null), fc.constant(""), fc.constant("$(reboot)"), fc.constant("a; rm -rf /"),
    fc.constant("`id`"), fc.constant("../../etc/passwd"), fc.constant("10.0.0.0/8"), fc.constant("CHANGEME"),
    fc.constant(1e308), fc.constant(-1), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(NaN), fc.constant(3.5),
    fc.constant(true), fc.constant([]), fc.constant({}), fc.constant({ __proto__: { polluted: true } }),
    fc.constant("x".repeat(5000)), fc.string(), fc.integer(), fc.jsonValue(),
);

describe("fuzzing the example stacks", () => {
    it("every mutation gives a valid spec or a list of field-path errors, never a crash", () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: examples.length - 1 }), fc.array(fc.tuple(fc.nat(), hostile), { minLength: 1, maxLength: 4 }), (which, mutations) => {
            let config: unknown = examples[which];
            for (const [pick, replacement] of mutations) {
                const all = paths(config).filter((p) => p.length > 0);
                config = setAt(config, all[pick % all.length], replacement);
            }
            try {
                loadClusterSpec(config as Record<string, unknown>);
            } catch (error) {
                if (!(error instanceof SpecError)) {
                    throw new Error(`unhandled ${String(error)} for ${JSON.stringify(config).slice(0, 400)}`);
                }
                assert.ok(error.issues.length > 0);
                for (const issue of error.issues) {
                    assert.ok(issue.message.length > 0, "every issue says what is wrong");
                }
            }
        }), { numRuns: 600 });
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
