import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { PROJECT_ROOT } from "../../cli/stacks";
import { captured } from "./fakes";
import { colourOn, escapeTerminal, markdownCode, Progress } from "../../cli/terminal";

const MAIN = path.join(PROJECT_ROOT, "dist", "cli", "main.js");
const clusters = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [MAIN, ...args], { cwd: PROJECT_ROOT, encoding: "utf8", env });
const COMMANDS = ["plan", "drift", "fleet", "policy", "status", "scaffold", "keys export", "keys import"];

describe("clusters: one entry point", () => {
    it("is package.json's bin, compiled, with a shebang; the npm scripts are aliases of it", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
        assert.deepStrictEqual(pkg.bin, { clusters: "dist/cli/main.js" });
        assert.match(fs.readFileSync(MAIN, "utf8"), /^#!\/usr\/bin\/env node\n/);
        for (const name of ["plan", "policy", "drift", "fleet", "status", "keys"]) {
            assert.strictEqual(pkg.scripts[name], `npm run -s build && node dist/cli/main.js ${name}`);
        }
    });

    it("lists the commands on --help (exit 0) and refuses an unknown command (exit 2)", () => {
        const help = clusters(["--help"]);
        assert.strictEqual(help.status, 0);
        for (const name of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
        assert.match(help.stdout, /exit codes: 0 ok; 1 error; 2 usage error, or findings/);
        const unknown = clusters(["deploy"]);
        assert.strictEqual(unknown.status, 2);
        assert.match(unknown.stderr, /unknown command "deploy"/);
        assert.strictEqual(clusters(["keys"]).status, 2);
        const keysHelp = clusters(["keys", "--help"]);
        assert.strictEqual(keysHelp.status, 0);
        assert.match(keysHelp.stdout, /keys export .*\n.*keys import/);
    });

    it("a command's --help and an unknown flag, end to end (exit 0 / exit 2)", () => {
        const help = clusters(["policy", "--help"]);
        assert.strictEqual(help.status, 0, help.stderr);
        assert.match(help.stdout, /^usage:\n  clusters policy /m);
        const bad = clusters(["policy", "--jsn", "x"]);
        assert.strictEqual(bad.status, 2);
        assert.match(bad.stderr, /Unknown option '--jsn'/);
    });

    for (const name of COMMANDS) {
        it(`${name}: --help exits 0 with options and exit codes; an unknown flag exits 2 with the usage`, async () => {
            const help = await captured(() => main([...name.split(" "), "--help"]));
            assert.strictEqual(help.code, 0, help.stderr);
            assert.match(help.stdout, new RegExp(`^usage:\\n  clusters ${name} `, "m"));
            assert.match(help.stdout, /^options:\n/m);
            assert.match(help.stdout, /^exit codes:\n  0 /m);
            assert.strictEqual(help.stderr, "");
            const bad = await captured(() => main([...name.split(" "), "--no-such-flag"]));
            assert.strictEqual(bad.code, 2);
            assert.match(bad.stderr, /Unknown option '--no-such-flag'/);
            assert.match(bad.stderr, new RegExp(`usage:\\n  clusters ${name} `));
            assert.strictEqual(bad.stdout, "", "nothing on stdout for a machine to misread");
        });
    }

    it("no colour when stdout is not a terminal (node:tty hasColors applies NO_COLOR and TERM=dumb on a terminal)", () => {
        const result = clusters(["drift", "--from", path.join(PROJECT_ROOT, "test", "fixtures", "drift", "clean.json"), "--out", fs.mkdtempSync(path.join(require("os").tmpdir(), "c-"))]);
        assert.doesNotMatch(result.stdout, /\u001b\[/);
        const fakeTty = { isTTY: true, hasColors: () => true } as unknown as NodeJS.WriteStream;
        assert.strictEqual(colourOn(fakeTty), true);
        assert.strictEqual(colourOn({ isTTY: false } as unknown as NodeJS.WriteStream), false);
    });
});

describe("terminal output", () => {
    it("escapes control characters and direction overrides", () => {
        assert.strictEqual(escapeTerminal("a\u001b[2Jb\rc\u202ed"), "a\\u001b[2Jb\\u000dc\\u202ed");
        assert.strictEqual(markdownCode("a|b"), "`a\\|b`");
        assert.strictEqual(markdownCode("`x`"), "`` `x` ``");
    });

    it("progress: silent for short steps, then one line per interval in a log", () => {
        let now = 0;
        const lines: string[] = [];
        const stream = { isTTY: false, write: (text: string) => { lines.push(text); return true; } } as unknown as NodeJS.WriteStream;
        const progress = new Progress("plan big", { stream, now: () => now });
        progress.update("10 resources registered");
        assert.deepStrictEqual(lines, [], "quiet for the first two seconds");
        now = 2500;
        progress.update("2,000 resources registered");
        now = 5000;
        progress.update("3,000 resources registered");
        now = 12600;
        progress.update("4,000 resources registered");
        progress.done();
        assert.deepStrictEqual(lines, ["plan big: 2,000 resources registered (3 s)\n", "plan big: 4,000 resources registered (13 s)\n"]);
    });

    it("progress on a terminal redraws one line and clears it at the end", () => {
        let now = 0;
        const writes: string[] = [];
        const stream = { isTTY: true, write: (text: string) => { writes.push(text); return true; } } as unknown as NodeJS.WriteStream;
        const progress = new Progress("fleet drift", { stream, now: () => now });
        now = 3000;
        progress.update("a 10");
        now = 4100;
        progress.update("a 20");
        progress.done();
        assert.deepStrictEqual(writes, ["\r\u001b[2Kfleet drift: a 10 (3 s)", "\r\u001b[2Kfleet drift: a 20 (4 s)", "\r\u001b[2K"]);
    });
});
