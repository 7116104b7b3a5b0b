#!/usr/bin/env node
// Which stacks a change affects, and which policy configuration a stack runs with, for the GitHub
// workflows. Values from file names and stack files reach the workflows only through this script's
// validated output (never through `${{ }}` in a shell script).
//
//   node .github/scripts/stacks.js affected --base <sha> --head <sha> [--merge-base]
//   git diff --name-only A B | node .github/scripts/stacks.js affected --files-from -
//       prints a JSON array of stack names: a changed stack file → that stack; a changed shared program
//       file → every stack; anything else → none. An unknown or all-zero base (a new branch, a force
//       push) → every stack.
//   node .github/scripts/stacks.js policy-config <stack>
//       prints the policy pack configuration for the stack's meta.environment, read with a YAML parser.
//   node .github/scripts/stacks.js check <stack>
//       exits 0 when the name is a valid stack name with a stack file.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { parse } = require("yaml");

const ROOT = path.join(__dirname, "..", "..");
const STACKS_DIR = "stacks";
const PROJECT = "clusters";

/** Letters, digits, '_', '.', '-'; no leading dot (Pulumi's stack name characters, and never a path). */
const STACK_NAME = /^(?!\.)[A-Za-z0-9_.-]{1,100}$/;

/**
 * The program every stack runs, and what it is built with: a change here affects all of them. The same
 * list as deployments/settings.ts SHARED_PATHS (a test keeps them equal).
 */
const SHARED_PATHS = [
    "index.ts", "Pulumi.yaml", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", ".nvmrc",
    "spec/**", "components/**", "policies/**",
];

class UsageError extends Error {}

function isStackName(name) {
    return typeof name === "string" && STACK_NAME.test(name);
}

function requireStackName(name) {
    if (!isStackName(name)) {
        throw new UsageError(`${JSON.stringify(String(name)).slice(0, 120)} is not a stack name: use letters, digits, '_', '.' and '-', not starting with '.'`);
    }
    return name;
}

function matches(file, pattern) {
    return pattern.endsWith("/**") ? file.startsWith(pattern.slice(0, -2)) : file === pattern;
}

/** Stack name of a stack file path (`stacks/Pulumi.<name>.yaml`), undefined for other files. */
function stackOfFile(file) {
    const match = /^stacks\/Pulumi\.(.+)\.ya?ml$/.exec(file);
    return match ? match[1] : undefined;
}

function stackFile(root, stack) {
    for (const ext of ["yaml", "yml"]) {
        const file = path.join(root, STACKS_DIR, `Pulumi.${stack}.${ext}`);
        if (fs.existsSync(file)) {
            return file;
        }
    }
    return undefined;
}

/** Every stack with a file; a file whose name is not a stack name is an error, not a skip. */
function allStacks(root) {
    return fs.readdirSync(path.join(root, STACKS_DIR))
        .map((file) => stackOfFile(`${STACKS_DIR}/${file}`))
        .filter((stack) => stack !== undefined)
        .map(requireStackName)
        .sort();
}

/**
 * Stacks affected by a list of changed files (paths relative to the repository root). Stack files that
 * no longer exist (deleted in the change) are left out: removing a stack is a person's decision.
 */
function affectedStacks(changedFiles, root = ROOT) {
    const files = changedFiles.map((f) => f.trim()).filter(Boolean);
    if (files.some((f) => SHARED_PATHS.some((p) => matches(f, p)))) {
        return allStacks(root);
    }
    const stacks = new Set();
    for (const file of files) {
        const stack = stackOfFile(file);
        if (stack !== undefined && stackFile(root, requireStackName(stack))) {
            stacks.add(stack);
        }
    }
    return [...stacks].sort();
}

function git(root, args) {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Changed files between two commits, or undefined when the base cannot be used (then every stack). */
function changedFiles(root, base, head, mergeBase) {
    const sha = /^[0-9a-f]{40}$/;
    if (!sha.test(head || "")) {
        throw new UsageError(`--head must be a full commit SHA, got ${JSON.stringify(String(head)).slice(0, 60)}`);
    }
    if (!sha.test(base || "") || /^0+$/.test(base)) {
        return undefined;
    }
    try {
        git(root, ["cat-file", "-e", `${base}^{commit}`]);
    } catch {
        return undefined;
    }
    const range = mergeBase ? `${base}...${head}` : `${base}..${head}`;
    // -z: names as they are (no quoting of unusual characters), NUL-separated.
    return git(root, ["diff", "--name-only", "-z", "--no-renames", range, "--"]).split("\0").filter(Boolean);
}

/** The policy configuration for a stack: production.json when meta.environment is production. */
function policyConfig(stack, root = ROOT) {
    const file = stackFile(root, requireStackName(stack));
    if (!file) {
        throw new UsageError(`no stack file for ${stack} in ${STACKS_DIR}/`);
    }
    const document = parse(fs.readFileSync(file, "utf8")) || {};
    const meta = (document.config || {})[`${PROJECT}:meta`];
    const environment = meta && typeof meta === "object" ? meta.environment : undefined;
    if (!["dev", "staging", "production"].includes(environment)) {
        throw new UsageError(`${path.relative(root, file)}: ${PROJECT}:meta.environment is ${JSON.stringify(environment)}; allowed: dev, staging, production`);
    }
    return environment === "production" ? "policies/config/production.json" : "policies/config/dev.json";
}

function option(args, name) {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
}

function main(args) {
    const [command, ...rest] = args;
    switch (command) {
        case "affected": {
            let files;
            if (option(rest, "files-from") === "-") {
                files = fs.readFileSync(0, "utf8").split("\n");
            } else {
                files = changedFiles(ROOT, option(rest, "base"), option(rest, "head"), rest.includes("--merge-base"));
            }
            return JSON.stringify(files === undefined ? allStacks(ROOT) : affectedStacks(files));
        }
        case "policy-config":
            return policyConfig(rest[0]);
        case "check":
            requireStackName(rest[0]);
            if (!stackFile(ROOT, rest[0])) {
                throw new UsageError(`no stack file for ${rest[0]} in ${STACKS_DIR}/`);
            }
            return rest[0];
        default:
            throw new UsageError("usage: stacks.js affected (--base <sha> --head <sha> [--merge-base] | --files-from -) | policy-config <stack> | check <stack>");
    }
}

if (require.main === module) {
    try {
        process.stdout.write(`${main(process.argv.slice(2))}\n`);
    } catch (error) {
        process.stderr.write(`stacks.js: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
    }
}

module.exports = { affectedStacks, allStacks, isStackName, policyConfig, SHARED_PATHS, STACK_NAME };
