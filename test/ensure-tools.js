#!/usr/bin/env node
// `npm test`'s pretest: the tests run real tools on real artefacts (Ansible on the rendered inventories
// and against the real Kubespray tree, `age` on the keys, `kubectl kustomize` on the GitOps trees).
// On a fresh machine they are missing; this installs them from Debian's packages when it can (root,
// or password-less sudo), and otherwise stops with the one command that does, before any test runs.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

/** Program the tests call → Debian package that provides it. */
const TOOLS = {
    "ansible-playbook": "ansible",
    "ansible-inventory": "ansible",
    age: "age",
    kubectl: "kubernetes-client",
};

function onPath(program) {
    return (process.env.PATH || "").split(path.delimiter).filter(Boolean).some((dir) => {
        try {
            fs.accessSync(path.join(dir, program), fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    });
}

function run(command, args) {
    const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    return result.status === 0;
}

const packages = [...new Set(Object.entries(TOOLS).filter(([program]) => !onPath(program)).map(([, pkg]) => pkg))];
if (packages.length === 0) {
    process.exit(0);
}
const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = !asRoot && onPath("sudo") && spawnSync("sudo", ["-n", "true"]).status === 0;
if (onPath("apt-get") && (asRoot || sudo)) {
    process.stderr.write(`installing what the tests need: ${packages.join(", ")}\n`);
    const aptGet = (...args) => (asRoot ? run("apt-get", args) : run("sudo", ["-n", "apt-get", ...args]));
    if (aptGet("update", "-qq") && aptGet("install", "-y", "-qq", ...packages)) {
        process.exit(0);
    }
}
process.stderr.write([
    `The tests need ${packages.join(", ")} (real tools on real artefacts), and they are not installed.`,
    "Install them and run npm test again:",
    `  sudo apt-get install -y ${packages.join(" ")}      # Debian, Ubuntu`,
    "  brew install ansible age kubectl                  # macOS",
    "",
].join("\n"));
process.exit(1);
