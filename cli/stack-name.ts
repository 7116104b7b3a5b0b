/** Stack names are names: Pulumi's rule, checked wherever a command takes one. */
import * as path from "path";

/**
 * Pulumi's own stack-name rule ("stack names are limited to 100 characters and may only contain
 * alphanumeric, hyphens, underscores, or periods": pulumi/pulumi pkg/backend ValidateStackName; a leading
 * dot is refused since pulumi/pulumi#9163 made tokens.Name match the service). The name becomes a file
 * name (`stacks/Pulumi.<name>.yaml`) and a directory (`out/<name>/`), so nothing else may pass.
 */
const STACK_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/** A stack name that is not one: a usage error (exit 2). */
export class StackNameError extends Error {}

export function assertStackName(stack: string, where = "stack name"): string {
    if (!STACK_NAME.test(stack)) {
        throw new StackNameError(`${where} ${JSON.stringify(stack.length > 120 ? `${stack.slice(0, 120)}…` : stack)} is not a stack name: `
            + "use 1 to 100 letters, digits, '-', '_' or '.', not starting with '.' (Pulumi's stack-name rule)");
    }
    return stack;
}

export function isStackName(stack: string): boolean {
    return STACK_NAME.test(stack);
}

/**
 * `<outRoot>/<stack>`, checked to lie strictly inside outRoot: the one directory a command may empty
 * before writing. A stack name cannot escape (assertStackName), and this keeps it so if that changes.
 */
export function stackOutDir(outRoot: string, stack: string): string {
    const root = path.resolve(outRoot);
    const dir = path.resolve(root, assertStackName(stack));
    if (path.dirname(dir) !== root) {
        throw new StackNameError(`refusing to write outside ${root}: ${dir}`);
    }
    return dir;
}
