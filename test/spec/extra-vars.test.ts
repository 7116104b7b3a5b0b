/**
 * `kubespray.extraVars` accepts only ALLOWED_EXTRA_VARS (spec/rules/kubespray.ts). These tests read the
 * real Kubespray release (test/upstream.ts: never a copy) and prove, for every allowed name, that it is
 * documented there and that the release never lets it reach a command: not in a `shell:`/`command:`/
 * `raw:`/`script:` task (nor its `args:`), a shell-script template, a `lookup()`/`query()`, a task or play
 * on localhost, nor in a variable defined from it that reaches one of those (followed to a fixed point
 * over every `name: "{{ … }}"` definition of the release). Issue #15: `image_info_command_on_localhost`
 * ran as root through roles/download/tasks/prep_download.yml; the scan finds that path by itself.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from "yaml";
import { loadClusterSpec, SpecError } from "../../spec";
import { ALLOWED_EXTRA_VARS, RUNNER_OWNED_VARS, SPEC_OWNED_VARS } from "../../spec/rules/kubespray";
import { openstackConfig, withValue } from "../fixtures/configs";
import { requireUpstream } from "../upstream";

function filesUnder(dir: string, out: string[] = []): string[] {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name !== ".git" && entry.name !== "tests" && entry.name !== "molecule") filesUnder(full, out);
        } else {
            out.push(full);
        }
    }
    return out;
}

const JINJA = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;

/** Names a Jinja expression reads (identifiers not after a '.', not inside quotes' first character). */
function jinjaNames(text: string): Set<string> {
    const names = new Set<string>();
    for (const match of text.matchAll(JINJA)) {
        for (const word of (match[1] ?? match[2]).matchAll(/(?<![.\w'"])[A-Za-z_][A-Za-z0-9_]*/g)) names.add(word[0]);
    }
    return names;
}

const COMMAND_MODULES = new Set(["shell", "command", "raw", "script", "expect"].flatMap((m) => [m, `ansible.builtin.${m}`]));

interface Scan {
    /** Variables the release defines in inventory/sample/group_vars or a role's defaults (commented or not). */
    readonly documented: Map<string, string>;
    /** Variable → why it may reach a command (file and context). */
    readonly unsafe: Map<string, string>;
}

let scanned: Scan | undefined;

/** Reads the release once (about a second). */
function scan(tree: string): Scan {
    if (scanned) return scanned;
    const files = filesUnder(tree).filter((f) => !f.includes(`${path.sep}.github${path.sep}`));
    const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f));
    const unsafe = new Map<string, string>();
    const mark = (names: Iterable<string>, why: string) => {
        for (const name of names) if (!unsafe.has(name)) unsafe.set(name, why);
    };
    const definitions = new Map<string, Set<string>>();
    const define = (name: string, reads: Set<string>) => {
        const known = definitions.get(name) ?? new Set<string>();
        for (const read of reads) known.add(read);
        definitions.set(name, known);
    };
    const text = (node: unknown) => JSON.stringify((node as Node | null)?.toJSON?.() ?? node ?? "");
    for (const file of yamlFiles) {
        const rel = path.relative(tree, file);
        let documents;
        try {
            documents = parseAllDocuments(fs.readFileSync(file, "utf8"));
        } catch {
            continue;
        }
        for (const document of Array.isArray(documents) ? documents : [documents]) {
            const pending: unknown[] = [document.contents];
            while (pending.length > 0) {
                const node = pending.pop();
                if (isMap(node)) {
                    const pairs = node.items.map((pair) => ({ key: isScalar(pair.key) ? String(pair.key.value) : "", value: pair.value }));
                    const scalarOf = (key: string) => { const v = pairs.find((p) => p.key === key)?.value; return isScalar(v) ? String(v.value) : ""; };
                    if (/^(localhost|127\.0\.0\.1)$/.test(scalarOf("delegate_to")) || scalarOf("connection") === "local"
                        || pairs.some((p) => p.key === "local_action") || scalarOf("hosts") === "localhost") {
                        mark(jinjaNames(text(node)), `${rel}: a task or play on localhost`);
                    }
                    for (const { key, value } of pairs) {
                        if (COMMAND_MODULES.has(key)) {
                            mark(jinjaNames(text(value)), `${rel}: ${key}:`);
                            const args = pairs.find((p) => p.key === "args");
                            if (args) mark(jinjaNames(text(args.value)), `${rel}: ${key}: args`);
                        }
                        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
                            const reads = jinjaNames(isScalar(value) ? String(value.value ?? "") : text(value));
                            if (reads.size > 0) define(key, reads);
                        }
                        pending.push(value);
                    }
                } else if (isSeq(node)) {
                    pending.push(...node.items);
                }
            }
        }
    }
    for (const file of files) {
        const rel = path.relative(tree, file);
        const content = /\.(ya?ml|j2|sh|py|cfg|ini|conf|service)$/.test(file) || !path.extname(file) ? fs.readFileSync(file, "utf8") : "";
        // Scripts the release renders and runs on the nodes.
        if (rel.includes(`templates${path.sep}`) && (/\.sh(\.j2)?$/.test(file) || content.startsWith("#!"))) {
            mark(jinjaNames(content), `${rel}: a shell-script template`);
        }
        // Line by line: a lookup or query, or a command module's line (also outside parsed YAML, e.g. in .j2 files).
        for (const line of content.split("\n")) {
            if (/\b(lookup|query|q)\s*\(|\b(shell|command|raw|script|cmd)\s*:/.test(line)) {
                mark(jinjaNames(line), `${rel}: ${line.trim().slice(0, 80)}`);
            }
        }
    }
    // A variable read by a definition of an unsafe variable reaches the same command.
    for (let changed = true; changed;) {
        changed = false;
        for (const [name, reads] of definitions) {
            const why = unsafe.get(name);
            if (why === undefined) continue;
            for (const read of reads) {
                if (!unsafe.has(read)) {
                    unsafe.set(read, `defines ${name}, which reaches ${why}`);
                    changed = true;
                }
            }
        }
    }
    const documented = new Map<string, string>();
    for (const file of yamlFiles) {
        const rel = path.relative(tree, file).split(path.sep).join("/");
        if (!/^inventory\/sample\/group_vars\//.test(rel) && !/^roles\/(.+\/)?defaults\//.test(rel)) continue;
        for (const line of fs.readFileSync(file, "utf8").split("\n")) {
            const match = /^#?\s?([a-z_][a-z0-9_]*):(\s|$)/.exec(line);
            if (match && !documented.has(match[1])) documented.set(match[1], rel);
        }
    }
    scanned = { documented, unsafe };
    return scanned;
}

/** Names that hold a path, a location, a download, an image or command-line text. */
const PATH_LIKE = /(^|_)(dir|directory|path|paths|file|files|dest|src|home|url|urls|repo|image|images|tag|checksum|command|cmd|args|arguments|flags|opts|options|script|bin|binary|cgroups?|mounts?|volumes?|host|hosts|address|addresses|endpoint|domain|registry|http_proxy|https_proxy|no_proxy|localhost)(_|$)/;
/** Names that touch security: a change there weakens the cluster. */
const SECURITY = /auth|encrypt|secret|token|password|passwd|credential|cert|tls|ssl|cipher|key|port|bind|audit|security|psa|admission|anonymous|read_only|insecure|verify|webhook|rbac|kubeconfig|artifacts|privileged|sysctl|seccomp|apparmor|selinux|firewall|iptables|oidc|sa_|serviceaccount/;

describe("kubespray.extraVars allow-list against the real Kubespray release (issue #15)", function () {
    this.timeout(60_000);

    it("every allowed name is documented by Kubespray v2.31.0 (sample group_vars or a role's defaults)", function () {
        const { documented } = scan(requireUpstream(this, "kubespray", "2.31.0"));
        assert.ok(documented.size > 1000, `only ${documented.size} documented variables found: the scan is broken`);
        assert.deepStrictEqual(ALLOWED_EXTRA_VARS.filter((name) => !documented.has(name)), []);
    });

    it("no allowed name reaches a shell, command, raw or script task, a script template, a lookup or localhost, directly or through another variable", function () {
        const { unsafe } = scan(requireUpstream(this, "kubespray", "2.31.0"));
        // The scan finds the reported paths by itself, or it proves nothing.
        for (const known of ["image_info_command_on_localhost", "download_localhost", "credentials_dir", "artifacts_dir", "kube_encrypt_token", "kube_encryption_algorithm", "image_command_tool_on_localhost"]) {
            assert.ok(unsafe.has(known), `the scan missed ${known}`);
        }
        assert.deepStrictEqual(ALLOWED_EXTRA_VARS.filter((name) => unsafe.has(name)).map((name) => `${name}: ${unsafe.get(name)}`), []);
    });

    it("no allowed name is a path, a URL, an image, a command line or a security setting, nor set by the spec or the runner", () => {
        assert.deepStrictEqual(ALLOWED_EXTRA_VARS.filter((name) => PATH_LIKE.test(name)), []);
        assert.deepStrictEqual(ALLOWED_EXTRA_VARS.filter((name) => SECURITY.test(name)), []);
        assert.deepStrictEqual(ALLOWED_EXTRA_VARS.filter((name) => SPEC_OWNED_VARS.includes(name) || RUNNER_OWNED_VARS.includes(name)), []);
        assert.strictEqual(new Set(ALLOWED_EXTRA_VARS).size, ALLOWED_EXTRA_VARS.length, "a name is listed twice");
    });
});

function refusals(extraVars: Record<string, unknown>): string[] {
    try {
        loadClusterSpec(withValue(openstackConfig(), "kubespray.extraVars", extraVars));
        return [];
    } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    }
}

describe("kubespray.extraVars refusals (issue #15)", () => {
    it("accepts the allowed tuning variables with plain values, maps of them included", () => {
        assert.deepStrictEqual(refusals({ kube_log_level: 3, etcd_heartbeat_interval: "250", kube_reserved: true, kube_memory_reserved: "256Mi", eviction_hard: { "memory.available": "100Mi", "nodefs.available": "10%" } }), []);
    });

    it("refuses the reproduced attack and every security override, each by its path, all at once", () => {
        const refused = refusals({
            download_run_once: true,
            download_localhost: true,
            image_info_command_on_localhost: "id > /tmp/x; true",
            kube_encryption_algorithm: "identity: {}\n    - secretbox",
            kube_encrypt_token: "x",
            kube_read_only_port: 10255,
            kubelet_authentication_token_webhook: false,
            etcd_peer_client_auth: false,
            kubeconfig_localhost: true,
            artifacts_dir: "/root",
            credentials_dir: "/etc",
        });
        for (const name of ["download_run_once", "download_localhost", "image_info_command_on_localhost", "kube_encryption_algorithm", "kube_encrypt_token", "kube_read_only_port",
            "kubelet_authentication_token_webhook", "etcd_peer_client_auth", "kubeconfig_localhost", "artifacts_dir", "credentials_dir"]) {
            assert.ok(refused.some((r) => r.startsWith(`kubespray.extraVars.${name}: is not one of the Kubespray variables extraVars may set; the allowed names are ALLOWED_EXTRA_VARS in spec/rules/kubespray.ts`)), `${name} not refused by name:\n${refused.join("\n")}`);
        }
        // The values are judged too: the command's ';' and '>', the line break.
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.image_info_command_on_localhost: contains ">", ";"/.test(r)), refused.join("\n"));
        assert.ok(refused.some((r) => /^kubespray\.extraVars\.kube_encryption_algorithm: contains a line break or tab \(U\+000A/.test(r)), refused.join("\n"));
    });

    it("a spec-owned variable with Jinja reports both, and points at the spec field", () => {
        const refused = refusals({ kube_version: "{{ lookup('pipe','id > /tmp/x') }}", kube_encrypt_secret_data: false, serial: 100, ansible_ssh_extra_args: "-o x" });
        assert.ok(refused.includes("kubespray.extraVars.kube_version: is set by the program from kubernetes.version; change that instead of overriding it here"), refused.join("\n"));
        assert.ok(refused.some((r) => r.startsWith('kubespray.extraVars.kube_version: contains the Jinja delimiters "{{", "}}"')), refused.join("\n"));
        assert.ok(refused.includes("kubespray.extraVars.kube_encrypt_secret_data: is set by the program from kubernetes.encryptionAtRest; change that instead of overriding it here"), refused.join("\n"));
        assert.ok(refused.some((r) => r.startsWith("kubespray.extraVars.serial: is set by the runner")), refused.join("\n"));
        assert.ok(refused.some((r) => r.startsWith("kubespray.extraVars.ansible_ssh_extra_args: ansible_* variables")), refused.join("\n"));
    });

    it("names the delimiter a value really holds: '}}' alone is not described as '{{'", () => {
        const [message] = refusals({ kube_log_level: "}}" });
        assert.match(message, /^kubespray\.extraVars\.kube_log_level: contains the Jinja delimiter "\}\}", which/);
        assert.ok(!message.includes('"{{"'), message);
    });

    it("refuses C1 controls, bidirectional overrides, quotes and shell characters in values, without printing them", () => {
        for (const [value, expected] of [["a\u009bb", /U\+009B/], ["a\u202eb", /U\+202E/], ["a\u200bb", /U\+200B/], ["$(id)", /contains "\$", "\(", "\)"/], ["'x'", /contains "'"/], ["a`b`", /contains "`"/]] as const) {
            const refused = refusals({ kube_memory_reserved: value });
            assert.strictEqual(refused.length, 1, refused.join("\n"));
            assert.match(refused[0], expected);
            assert.ok(!/[\u0080-\u009f\u202e\u200b]/.test(refused[0]), "the character itself was printed");
        }
    });

    it("refuses nested structures and values over the bounds", () => {
        assert.ok(refusals({ eviction_hard: { "memory.available": { deeper: "1" } } }).some((r) => r.startsWith("kubespray.extraVars.eviction_hard")));
        assert.ok(refusals({ kube_memory_reserved: "x".repeat(1025) }).some((r) => r.startsWith("kubespray.extraVars.kube_memory_reserved")));
        assert.ok(refusals({ eviction_hard: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "1"])) }).some((r) => r.startsWith("kubespray.extraVars.eviction_hard")));
    });
});
