import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCommand } from "../../cli/command";
import { BACKUP_FORMAT, exportKeys, keysExportCommand, keysImportCommand, PASSPHRASE_ENV } from "../../cli/keys";
import { captured, FakeStack, fakeOpener } from "./fakes";

/**
 * A stack export as `pulumi stack export --show-secrets` prints it (Automation API `exportStack`): secrets
 * in clear as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": …}`.
 * The keys are tls PrivateKey resources (components/keys/).
 */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const FAKE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake-test-key-material-not-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n";
function fakeExport() {
    const urn = (type: string, name: string) => `urn:pulumi:dev-openstack::clusters::clusters:index:Cluster$clusters:keys:ClusterKeys$${type}::${name}`;
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-01-01T00:00:00Z", magic: "x", version: "v3.276.0" },
            secrets_providers: { type: "service", state: {} },
            resources: [
                { urn: urn("tls:index/privateKey:PrivateKey", "dev-os-ssh-1"), type: "tls:index/privateKey:PrivateKey", custom: true, id: "a",
                    outputs: { algorithm: "ED25519", privateKeyOpenssh: { ...SECRET_SIG, plaintext: JSON.stringify(FAKE_KEY) } } },
                { urn: urn("tls:index/privateKey:PrivateKey", "dev-os-age-1"), type: "tls:index/privateKey:PrivateKey", custom: true, id: "b",
                    outputs: { algorithm: "ED25519", privateKeyPem: { ...SECRET_SIG, plaintext: JSON.stringify("fake-pem") } } },
            ],
        },
    };
}

function hasAge(): boolean {
    return spawnSync("age", ["--version"], { encoding: "utf8" }).status === 0 && spawnSync("age-keygen", ["--help"], { encoding: "utf8" }).error === undefined;
}

describe("clusters keys export/import (issue #16 item 4)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keys-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    let identity = "";
    let recipient = "";

    before(function () {
        if (!hasAge()) this.skip(); // the real `age` CLI (Debian's age package) checks the files interoperate
        identity = path.join(dir, "key.txt");
        spawnSync("age-keygen", ["-o", identity], { encoding: "utf8" });
        recipient = /public key: (age1\w+)/.exec(fs.readFileSync(identity, "utf8"))![1];
    });

    it("exports state, secrets and stack file encrypted to an age recipient; the real age decrypts it", async () => {
        const stacks = { "dev-openstack": new FakeStack("dev-openstack", { state: fakeExport() }) };
        const file = path.join(dir, "dev-openstack.age");
        const result = await captured(() => runCommand(keysExportCommand(fakeOpener(stacks)), ["--stack", "dev-openstack", "--to", file, "--recipient", recipient]));
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, /keys: dev-os-ssh-1, dev-os-age-1/);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
        const bytes = fs.readFileSync(file);
        assert.ok(!bytes.includes("fake-test-key-material") && !bytes.includes("dev-os-ssh-1"), "nothing readable without the identity");
        const decrypted = spawnSync("age", ["-d", "-i", identity, file], { encoding: "utf8" });
        assert.strictEqual(decrypted.status, 0, decrypted.stderr);
        const backup = JSON.parse(decrypted.stdout);
        assert.deepStrictEqual([backup.format, backup.version, backup.stack], [BACKUP_FORMAT, 1, "dev-openstack"]);
        assert.deepStrictEqual(backup.state, fakeExport());
        assert.match(backup.stackFile, /clusters:meta/);
        const again = await captured(() => runCommand(keysExportCommand(fakeOpener(stacks)), ["--stack", "dev-openstack", "--to", file, "--recipient", recipient]));
        assert.strictEqual(again.code, 1, "an existing backup is not overwritten without --force");
        assert.match(again.stderr, /EEXIST/);
    });

    it("imports a backup encrypted by the real age on a new machine: the state arrives whole, the temp file is private", async () => {
        const plain = path.join(dir, "plain.json");
        fs.writeFileSync(plain, JSON.stringify({ format: BACKUP_FORMAT, version: 1, stack: "dev-openstack", exportedAt: "2026-01-01T00:00:00.000Z", keys: [], stackFile: "config: {}\n", state: fakeExport() }));
        const file = path.join(dir, "from-age.age");
        assert.strictEqual(spawnSync("age", ["-r", recipient, "-o", file, plain]).status, 0);
        const stacks: Record<string, FakeStack> = {};
        const created: string[] = [];
        const newMachineStacks = fs.mkdtempSync(path.join(dir, "stacks-"));
        const { importKeys } = await import("../../cli/keys");
        const { backup, wroteStackFile } = await importKeys("dev-openstack", file, { identities: [fs.readFileSync(identity, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-"))!] }, false,
            { opener: fakeOpener(stacks, created), stacksDir: newMachineStacks });
        assert.deepStrictEqual(created, ["dev-openstack"], "a stack the backend does not have is created");
        assert.deepStrictEqual(stacks["dev-openstack"].imported, fakeExport());
        assert.strictEqual(stacks["dev-openstack"].umaskAtImport, 0o077, "importStack's temporary file (secrets in clear) is readable by this user only");
        assert.strictEqual(backup.stack, "dev-openstack");
        assert.strictEqual(fs.readFileSync(wroteStackFile!, "utf8"), "config: {}\n");
        // A second import would replace state that is now there: only with --force.
        const again = await captured(() => runCommand(keysImportCommand(fakeOpener(stacks)), ["--stack", "dev-openstack", "--from", file, "--identity", identity]));
        assert.strictEqual(again.code, 1);
        assert.match(again.stderr, /already has 2 resource\(s\).*--force/);
        const forced = await captured(() => runCommand(keysImportCommand(fakeOpener(stacks)), ["--stack", "dev-openstack", "--from", file, "--identity", identity, "--force"]));
        assert.strictEqual(forced.code, 0, forced.stderr);
    });

    it("round-trips with a passphrase from the environment, and refuses another stack's backup or a wrong passphrase", async () => {
        const file = path.join(dir, "passphrase.age");
        // scrypt at age's default work factor (18) takes seconds in JavaScript: the test lowers it for the export;
        // the file header carries the factor, so import reads it as any age file.
        await exportKeys("dev-openstack", file, { passphrase: "correct horse battery staple" }, false, { opener: fakeOpener({ "dev-openstack": new FakeStack("dev-openstack", { state: fakeExport() }) }), scryptWorkFactor: 10 });
        process.env[PASSPHRASE_ENV] = "correct horse battery staple";
        try {
            const target = { "dev-openstack": new FakeStack("dev-openstack") };
            const imported = await captured(() => runCommand(keysImportCommand(fakeOpener(target)), ["--stack", "dev-openstack", "--from", file, "--passphrase"]));
            assert.strictEqual(imported.code, 0, imported.stderr);
            assert.deepStrictEqual(target["dev-openstack"].imported, fakeExport());
            const other = await captured(() => runCommand(keysImportCommand(fakeOpener({})), ["--stack", "prod-vsphere", "--from", file, "--passphrase"]));
            assert.strictEqual(other.code, 1);
            assert.match(other.stderr, /the backup is of stack "dev-openstack", not "prod-vsphere"/);
            process.env[PASSPHRASE_ENV] = "wrong";
            const wrong = await captured(() => runCommand(keysImportCommand(fakeOpener({})), ["--stack", "dev-openstack", "--from", file, "--passphrase"]));
            assert.strictEqual(wrong.code, 1);
            assert.match(wrong.stderr, /cannot decrypt the backup/);
        } finally {
            delete process.env[PASSPHRASE_ENV];
        }
    });

    it("refuses usage that would leak or guess: no passphrase variable, recipients and passphrase together, a bad stack name", async () => {
        for (const args of [["--stack", "dev-openstack", "--to", path.join(dir, "x.age"), "--passphrase"],
            ["--stack", "dev-openstack", "--to", path.join(dir, "x.age"), "--passphrase", "--recipient", recipient],
            ["--stack", "dev-openstack", "--to", path.join(dir, "x.age")],
            ["--stack", "../x", "--to", path.join(dir, "x.age"), "--recipient", recipient]]) {
            const result = await captured(() => runCommand(keysExportCommand(fakeOpener({})), args));
            assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
        }
        assert.ok(!fs.existsSync(path.join(dir, "x.age")));
    });
});
