/** The Kubespray release checkout the runner tests run against: shared by the runner, signal and batch tests. */
import * as fs from "fs";
import * as path from "path";
import { upstreamTree } from "../upstream";

const FIXTURE = path.join(__dirname, "..", "fixtures", "kubespray");

/**
 * A Kubespray home's checkout of `version`: the fixture playbooks, the real Kubespray v2.31.0 `ansible.cfg`
 * (a stand-in with its `profile_tasks` callback when the tree is absent) and a venv whose `ansible` and
 * `ansible-playbook` are Debian's, unless `standIns` gives a script for one of them.
 */
export function makeCheckout(home: string, version: string, standIns: Partial<Record<"ansible" | "ansible-playbook", string>> = {}): string {
    const checkout = path.join(home, `kubespray-${version}`);
    fs.mkdirSync(path.join(checkout, ".venv", "bin"), { recursive: true });
    fs.cpSync(FIXTURE, checkout, { recursive: true, filter: (src) => !src.includes(`${path.sep}bin`) && !src.endsWith("fake-docker") });
    const tree = upstreamTree("kubespray", "2.31.0");
    if (tree) fs.symlinkSync(path.join(tree, "ansible.cfg"), path.join(checkout, "ansible.cfg"));
    else fs.writeFileSync(path.join(checkout, "ansible.cfg"), "[defaults]\ncallbacks_enabled = profile_tasks\nhost_key_checking = False\n");
    for (const tool of ["ansible", "ansible-playbook"] as const) {
        const target = path.join(checkout, ".venv", "bin", tool);
        const script = standIns[tool];
        if (script === undefined) fs.symlinkSync(`/usr/bin/${tool}`, target);
        else fs.writeFileSync(target, script, { mode: 0o755 });
    }
    return checkout;
}

/** Where a sandboxed runner works: its Kubespray home, stack, and the stand-in tools' record and state. */
export interface RunnerSandbox {
    readonly home: string;
    readonly stack: string;
    readonly record: string;
    readonly state: string;
}

/**
 * The compiled runner's environment in a sandbox: the fixture tools first on PATH, the command's desired and
 * previous state as `@pulumi/command` passes them, and standard Ansible settings that point every host at
 * this machine. `extraEnv` comes last and wins.
 */
export function runnerEnv(box: RunnerSandbox, command: string, desired: unknown, previous?: unknown, extraEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
        PATH: `${path.join(FIXTURE, "bin")}:${process.env.PATH}`,
        HOME: process.env.HOME,
        KUBESPRAY_HOME: box.home,
        KUBESPRAY_STACK: box.stack,
        KUBESPRAY_COMMAND: command,
        KUBESPRAY_DESIRED: JSON.stringify(desired),
        PULUMI_COMMAND_STDOUT: previous === undefined ? "" : JSON.stringify(previous),
        KUBESPRAY_RECORD: box.record,
        FAKE_STATE: box.state,
        KUBESPRAY_READY_POLL: "0",
        ANSIBLE_TRANSPORT: "local",
        ANSIBLE_LOCAL_TEMP: path.join(box.home, "ansible-tmp"),
        ANSIBLE_REMOTE_TEMP: path.join(box.home, "ansible-tmp"),
        ...extraEnv,
    };
}
