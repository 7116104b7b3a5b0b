/**
 * String formats shared by the spec. Every value that can reach a shell, an Ansible inventory or a
 * cloud-init document is held to one of these, so quoting is a second line of defence, not the first.
 */
import { Cron } from "croner";
import * as ipaddr from "ipaddr.js";
import * as semver from "semver";
import { z } from "zod";
import {
    MAX_IMAGE_REFERENCE_LENGTH, MAX_PATH_LENGTH, MAX_PATH_SEGMENT_LENGTH, MAX_PATH_SEGMENTS, MAX_TEXT,
} from "./limits";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A length bound that stops validation of the field (`abort`): the format checks after it never see a
 * string longer than the bound, so no regular expression runs on megabytes.
 */
export function bounded(max: number) {
    return z.string().max(max, { message: `must be at most ${max} characters`, abort: true });
}

/**
 * Names every JavaScript object inherits (`constructor`, `toString`, `__proto__`…). A map key with such a
 * name would find the inherited member on a plain lookup, so maps the program looks up by key refuse them.
 */
export function isInheritedName(key: string): boolean {
    return key === "__proto__" || key === "prototype" || Object.hasOwn(Object.prototype, key);
}

/** A map key schema that refuses inherited names, with the sentence to say so. */
export function ownKey(key: z.ZodString, message = "is a name every JavaScript object already has; choose another name") {
    return key.refine((value) => !isInheritedName(value), { message });
}

/**
 * A map with at most `max` entries. The bound is recorded as metadata so a test can prove every map of
 * the schema has one.
 */
export function boundedRecord<K extends z.ZodType<string, string>, V extends z.ZodType>(key: K, value: V, max: number) {
    return z.record(key, value)
        .refine((record) => Object.keys(record).length <= max, { message: `must have at most ${max} entries` })
        .meta({ maxEntries: max });
}

/** Jinja's delimiters: a value that Ansible reads must not contain them, or Ansible would evaluate it. */
export const TEMPLATE_DELIMITERS = /\{\{|\{%|\{#/;

/** A DNS-1123 label (≤63): cluster, pool and node names. */
export const dnsLabel = bounded(63)
    .regex(DNS1123_LABEL, "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit");

/** A DNS-1123 subdomain (≤253): host names, DNS names. */
export const dnsName = bounded(253)
    .regex(DNS1123_SUBDOMAIN, "must be a DNS name: lowercase letters, digits, '-' and '.'");

export function isIPv4(value: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(value);
}

/** A dotted-quad IPv4 address. */
export const ipv4 = bounded(15).refine(isIPv4, { message: "must be an IPv4 address such as 10.0.0.10" });

/** An IPv4 network in CIDR notation whose host bits are zero. */
export function cidrProblem(value: string): string | undefined {
    const [address, bits] = value.split("/");
    if (bits === undefined || !/^\d{1,2}$/.test(bits) || !isIPv4(address)) {
        return "must be an IPv4 network in CIDR notation such as 10.0.0.0/24";
    }
    const prefix = Number(bits);
    if (prefix > 32) {
        return "must have a prefix length from 0 to 32";
    }
    const network = ipaddr.IPv4.networkAddressFromCIDR(value).toString();
    if (network !== address) {
        return `has host bits set; the network is ${network}/${prefix}`;
    }
    return undefined;
}

export const cidr = bounded(18).superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
    }
});

/** A strict MAJOR.MINOR.PATCH version without a leading "v". */
export const version = bounded(64).refine((value) => semver.valid(value) === value && !value.includes("+"), {
    message: "must be a semantic version MAJOR.MINOR.PATCH without a leading 'v', e.g. 1.33.7",
});

/** A Unix user name. */
export const unixUser = bounded(32)
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Unix user name: lowercase letters, digits, '_' and '-'");

/** Names handed to a cloud API or a shell as-is: flavors, images, templates, datastores, folders. */
export const objectName = bounded(255)
    .min(1, "must not be empty")
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._:/()+-]*$/, "may contain only letters, digits, spaces and . _ : / ( ) + -");

/** Problems of a relative path: bounded, no empty, "." or ".." segment, no absolute path. */
function relativePathProblem(value: string): string | undefined {
    const segments = value.split("/");
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value)) {
        return "must be a relative path of letters, digits, '.', '_', '-' and '/' (no leading, trailing or double '/')";
    }
    if (segments.some((segment) => segment === "." || segment === "..")) {
        return "must not contain '.' or '..' segments";
    }
    if (segments.length > MAX_PATH_SEGMENTS) {
        return `must have at most ${MAX_PATH_SEGMENTS} segments`;
    }
    const long = segments.find((segment) => segment.length > MAX_PATH_SEGMENT_LENGTH);
    if (long) {
        return `has a segment of ${long.length} characters; each segment must be at most ${MAX_PATH_SEGMENT_LENGTH}`;
    }
    return undefined;
}

/** A directory relative to the project, e.g. `kubespray.runner.workDir`. */
export const repoPath = bounded(MAX_PATH_LENGTH).superRefine((value, ctx) => {
    const problem = relativePathProblem(value);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
    }
});

/**
 * The directory Flux syncs in the cluster's GitOps repository. The plan writes the repository's scaffold
 * (`README.md`, `.sops.yaml`, `<path>/kustomization.yaml`, `applications/…`) around it, so it must be a
 * plain directory name path: no hidden segment (`.git`, `.sops.yaml`), no segment that reads as a file
 * (`README.md`, `x.yaml`).
 */
export const gitopsPath = bounded(MAX_PATH_LENGTH).superRefine((value, ctx) => {
    const problem = relativePathProblem(value);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
        return;
    }
    const segments = value.split("/");
    const hidden = segments.find((segment) => segment.startsWith("."));
    if (hidden) {
        ctx.addIssue({ code: "custom", message: `must be a directory path without hidden segments; "${hidden}" starts with '.'` });
    }
    const file = segments.find((segment) => /\.(ya?ml|md|json|txt)$/i.test(segment));
    if (file) {
        ctx.addIssue({ code: "custom", message: `must be a directory path; "${file}" is a file name (the scaffold writes ${value}/kustomization.yaml)` });
    }
});

/** A Git branch or tag name restricted to characters that are safe everywhere. */
export const gitRef = bounded(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/, "must be a Git ref of letters, digits, '.', '_', '-' and '/'");

/** A Git URL over HTTPS or SSH, in the URL forms Flux accepts (not the scp-like `git@host:path`). */
export const gitUrl = bounded(MAX_TEXT.url)
    .regex(
        /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~\/-]+|ssh:\/\/[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~\/-]+)$/,
        "must be a Git URL over https:// or ssh:// without credentials or query strings (write git@host:org/repo as ssh://git@host/org/repo)",
    );

export function gitUrlScheme(url: string): "https" | "ssh" {
    return url.startsWith("https://") ? "https" : "ssh";
}

/** A Go duration as Flux and Velero accept it: 5m, 1h30m, 720h. */
export const duration = bounded(32)
    .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, "must be a duration such as 30s, 5m or 1h30m");

/** Month and weekday names cron accepts in place of numbers. */
const CRON_NAMES = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT";
const CRON_VALUE = `(?:[0-9]{1,2}|${CRON_NAMES})`;
const CRON_ITEM = new RegExp(`^(?:\\*|${CRON_VALUE}(?:-${CRON_VALUE})?)(?:/[0-9]{1,2})?$`, "i");
const CRON_FIELDS = ["minute", "hour", "day of month", "month", "day of week"] as const;

/**
 * Problems of a five-field cron expression, in the subset both consumers accept: Velero's Schedule
 * (robfig/cron's standard parser: `*`, numbers, names, ranges, steps and lists; day of week 0-6) and
 * Pulumi Deployments' drift schedule. croner checks the ranges and that the expression ever fires.
 */
export function cronProblem(value: string): string | undefined {
    const fields = value.trim().split(/\s+/);
    if (fields.length !== 5) {
        return "must be a five-field cron expression (minute hour day-of-month month day-of-week) such as '0 2 * * *'";
    }
    for (const [i, field] of fields.entries()) {
        const bad = field.split(",").find((item) => !CRON_ITEM.test(item));
        if (bad !== undefined) {
            return `has ${JSON.stringify(bad.slice(0, 40))} in the ${CRON_FIELDS[i]} field; allowed: *, numbers, ranges (a-b), steps (/n) and lists (a,b)${i >= 3 ? " or three-letter names" : ""}`;
        }
    }
    let schedule: Cron;
    try {
        schedule = new Cron(value, { paused: true, timezone: "UTC" });
    } catch (error) {
        const reason = String((error as Error).message ?? error).replace(/^CronPattern: /, "");
        return `is not a valid cron expression: ${reason}`;
    }
    const weekdays = fields[4].match(/[0-9]+/g) ?? [];
    if (weekdays.some((day) => Number(day) > 6)) {
        return "has a day of week above 6; use 0-6 (0 is Sunday), as Velero's cron parser requires";
    }
    if (schedule.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
        return "never runs (no date matches it)";
    }
    return undefined;
}

/** A five-field cron expression. */
export const cron = bounded(128).superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
    }
});

/** Kubernetes label or annotation key (optional DNS prefix, then a name). */
export const labelKey = bounded(317)
    .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        "must be a Kubernetes label key: [prefix/]name, name up to 63 characters of letters, digits, '-', '_', '.'",
    );

/** Kubernetes label value (may be empty). */
export const labelValue = bounded(63)
    .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "must be a Kubernetes label value: up to 63 letters, digits, '-', '_', '.'");

/** Reads one SSH wire-format string (uint32 length, then bytes) at `offset`. */
function sshString(blob: Buffer, offset: number): { value: Buffer; next: number } | undefined {
    if (offset + 4 > blob.length) {
        return undefined;
    }
    const length = blob.readUInt32BE(offset);
    if (offset + 4 + length > blob.length) {
        return undefined;
    }
    return { value: blob.subarray(offset + 4, offset + 4 + length), next: offset + 4 + length };
}

/** The fields after the key type, per key type (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4, OpenSSH PROTOCOL.u2f). */
const SSH_KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "ssh-ed25519": ["key"],
    "ssh-rsa": ["e", "n"],
    "ecdsa-sha2-nistp256": ["curve", "point"],
    "ecdsa-sha2-nistp384": ["curve", "point"],
    "ecdsa-sha2-nistp521": ["curve", "point"],
    "sk-ssh-ed25519@openssh.com": ["key", "application"],
};

/**
 * Problems of an OpenSSH public key blob: strict base64 that decodes to the wire format of the named
 * key type (its first field repeats the type, its fields fill the blob exactly).
 */
export function sshKeyBlobProblem(type: string, base64: string): string | undefined {
    const blob = Buffer.from(base64, "base64");
    if (blob.length === 0 || blob.toString("base64").replace(/=+$/, "") !== base64.replace(/=+$/, "")) {
        return "has a key that is not valid base64";
    }
    const fields = Object.hasOwn(SSH_KEY_FIELDS, type) ? SSH_KEY_FIELDS[type] : undefined;
    const declared = sshString(blob, 0);
    if (!fields || !declared || declared.value.toString("latin1") !== type) {
        return `has a key whose encoded type is not ${type}; copy the line again from the host (ssh-keyscan) or the .pub file`;
    }
    let offset = declared.next;
    const values: Record<string, Buffer> = {};
    for (const name of fields) {
        const field = sshString(blob, offset);
        if (!field) {
            return `has a truncated ${type} key`;
        }
        values[name] = field.value;
        offset = field.next;
    }
    if (offset !== blob.length) {
        return `has a ${type} key with trailing bytes`;
    }
    if ((type === "ssh-ed25519" || type.startsWith("sk-ssh-ed25519")) && values.key.length !== 32) {
        return `has a ${type} key of ${values.key.length} bytes; Ed25519 keys are 32`;
    }
    if (type.startsWith("ecdsa-sha2-") && values.curve.toString("latin1") !== type.slice("ecdsa-sha2-".length)) {
        return `has a ${type} key on another curve`;
    }
    return undefined;
}

/** An SSH public key in OpenSSH authorized_keys form. */
export const sshPublicKey = bounded(MAX_TEXT.sshPublicKey)
    .regex(
        /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+\/=]+( [A-Za-z0-9@._+-]+)?$/,
        "must be one OpenSSH public key line such as 'ssh-ed25519 AAAA… user@host'",
    )
    .superRefine((value, ctx) => {
        const [type, key] = value.split(" ");
        const problem = key === undefined ? undefined : sshKeyBlobProblem(type, key);
        if (problem) {
            ctx.addIssue({ code: "custom", message: problem });
        }
    });

/** A known_hosts line: host patterns, key type, key (GitHub publishes its keys in this form). */
export const knownHostsLine = bounded(MAX_TEXT.sshPublicKey)
    .regex(
        /^[A-Za-z0-9.,:\[\]-]+ (ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+\/=]+$/,
        "must be a known_hosts line: host key-type key",
    )
    .superRefine((value, ctx) => {
        const [, type, key] = value.split(" ");
        const problem = key === undefined ? undefined : sshKeyBlobProblem(type, key);
        if (problem) {
            ctx.addIssue({ code: "custom", message: problem });
        }
    });

/**
 * A Linux network interface name as the kernel accepts it (net/core/dev.c `dev_valid_name`): at most 15
 * characters (IFNAMSIZ 16 with the NUL), no '/', ':' or whitespace, not "." or "..". Held here to letters,
 * digits, '.', '_' and '-', starting with a letter or digit, which covers VLANs (`eno1.100`, `bond0.10`),
 * bridges (`br-ex`) and predictable names (`enp1s0f0`) and can never read as an option.
 */
export const interfaceName = bounded(15)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/, "must be a Linux interface name: up to 15 letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. eth0, eno1.100, bond0.10)");

/** Host names or addresses of NTP servers. */
export const hostOrAddress = bounded(253)
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, "must be a host name or an IPv4 address");

/** Identifiers of cloud objects (UUIDs and similar). */
export const cloudId = bounded(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be an identifier of letters, digits, '.', '_', ':' and '-'");

/**
 * Problems of an OCI image reference as Docker and Podman parse it (distribution/reference grammar):
 * `[registry[:port]/]repository[:tag][@sha256:digest]`, lowercase repository components joined by
 * single `.`, `_`, `__` or `-` runs. Such a reference never starts with `-`, never holds `..`, spaces or
 * a shell character, so it cannot become an option or a second argument of `docker pull`/`docker run`.
 */
export function imageReferenceProblem(value: string): string | undefined {
    const form = "must be an image reference such as quay.io/kubespray/kubespray:v2.31.0 ([registry/]repository[:tag][@sha256:digest])";
    const match = /^([^@]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:([a-f0-9]{64}))?$/.exec(value);
    if (!match) {
        return form;
    }
    const name = match[1];
    if (name.length > 255) {
        return "has a repository name longer than 255 characters";
    }
    const components = name.split("/");
    const first = components[0];
    const hasRegistry = components.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
    if (hasRegistry && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$/.test(first)) {
        return `has ${JSON.stringify(first.slice(0, 60))} as its registry; ${form}`;
    }
    const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
    const bad = components.slice(hasRegistry ? 1 : 0).find((component) => !PATH_COMPONENT.test(component));
    if (bad !== undefined) {
        return `has ${JSON.stringify(bad.slice(0, 60))} in its repository; components are lowercase letters and digits joined by '.', '_', '__' or '-'`;
    }
    return undefined;
}

export const imageReference = bounded(MAX_IMAGE_REFERENCE_LENGTH).superRefine((value, ctx) => {
    const problem = imageReferenceProblem(value);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
    }
});
