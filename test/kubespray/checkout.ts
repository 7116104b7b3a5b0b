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
