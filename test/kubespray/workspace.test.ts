/**
 * The stack's Kubespray workspace (inventory, group_vars, runner.json) is what every running command
 * reads: `pulumi preview` never writes it (a preview of another branch during a long `pulumi up` would
 * swap it under the running commands), and `pulumi up` writes it holding the cluster's lock.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOCK_FILE, writeStackWorkspace } from "../../components/kubespray/workspace";
import { existingConfig } from "../fixtures/configs";
import { named, runConfig } from "../helpers";

describe("Kubespray workspace: written by pulumi up only, under the cluster's lock", () => {
    it("a preview writes nothing, though its commands' inputs are the same as up's", async () => {
        // Existing hosts: the API address is known in a preview too, so the inventory is rendered there.
        const preview = await runConfig(existingConfig(), { preview: true, stack: "ws" });
        const up = await runConfig(existingConfig(), { stack: "ws" });
        assert.deepStrictEqual(fs.readdirSync(preview.kubesprayHome), [], "nothing in the preview's workspace");
        const environment = (run: typeof up) => named(run, "command:local:Command", "t4-cluster").inputs.environment;
        assert.deepStrictEqual(environment(preview), environment(up));
        assert.strictEqual((environment(preview) as Record<string, string>).KUBESPRAY_INVENTORY, "inventory", "the preview rendered the inventory (and did not write it)");
        const stack = path.join(up.kubesprayHome, "ws");
        assert.deepStrictEqual(fs.readdirSync(path.join(stack, "inventory")).sort(), ["group_vars", "hosts.yaml", "runner.json"]);
        assert.ok(!fs.existsSync(path.join(stack, LOCK_FILE)), "the lock is released after the write");
    });

    it("up waits for a Kubespray run that holds the cluster's lock, saying whom it waits for", async () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "workspace-lock-"));
        const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
        // The offline harness points every workspace at its own temporary home: this one is the test's.
        const harnessHome = process.env.CLUSTERS_KUBESPRAY_HOME;
        process.env.CLUSTERS_KUBESPRAY_HOME = home;
        try {
            fs.mkdirSync(path.join(home, "s"));
            fs.writeFileSync(path.join(home, "s", LOCK_FILE), JSON.stringify({ pid: holder.pid, command: "t1-cluster", since: "2026-01-01T00:00:00Z", groups: [] }));
            const said: string[] = [];
            const writing = writeStackWorkspace(home, "s", { "hosts.yaml": "all: {}\n" }, { pollMs: 20, report: (message) => said.push(message) });
            // The first look at the lock happens before writeStackWorkspace returns its promise.
            assert.match(said[0], /^waiting: t1-cluster \(pid \d+, since 2026-01-01T00:00:00Z\) is running Kubespray on this cluster/);
            assert.ok(!fs.existsSync(path.join(home, "s", "inventory")), "nothing written while the run holds the lock");
            holder.kill("SIGKILL");
            await writing;
            assert.strictEqual(fs.readFileSync(path.join(home, "s", "inventory", "hosts.yaml"), "utf8"), "all: {}\n");
            assert.ok(!fs.existsSync(path.join(home, "s", LOCK_FILE)));
        } finally {
            if (harnessHome === undefined) delete process.env.CLUSTERS_KUBESPRAY_HOME;
            else process.env.CLUSTERS_KUBESPRAY_HOME = harnessHome;
            holder.kill("SIGKILL");
            fs.rmSync(home, { recursive: true, force: true });
        }
    });
});
