/**
 * String formats shared by the spec. Every value that can reach a shell, an Ansible inventory or a
 * cloud-init document is held to one of these, so quoting is a second line of defence, not the first.
 */
import * as ipaddr from "ipaddr.js";
import * as semver from "semver";
import { z } from "zod";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 label (≤63): cluster, pool and node names. */
export const dnsLabel = z
    .string()
    .max(63, "must be at most 63 characters")
    .regex(DNS1123_LABEL, "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit");

/** A DNS-1123 subdomain (≤253): host names, DNS names. */
export const dnsName = z
    .string()
    .max(253, "must be at most 253 characters")
    .regex(DNS1123_SUBDOMAIN, "must be a DNS name: lowercase letters, digits, '-' and '.'");

export function isIPv4(value: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(value);
}

/** A dotted-quad IPv4 address. */
export const ipv4 = z.string().refine(isIPv4, { message: "must be an IPv4 address such as 10.0.0.10" });

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

export const cidr = z.string().superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
    }
});

/** A strict MAJOR.MINOR.PATCH version without a leading "v". */
export const version = z.string().refine((value) => semver.valid(value) === value && !value.includes("+"), {
    message: "must be a semantic version MAJOR.MINOR.PATCH without a leading 'v', e.g. 1.33.7",
});

/** A Unix user name. */
export const unixUser = z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Unix user name: lowercase letters, digits, '_' and '-'");

/** Names handed to a cloud API or a shell as-is: flavors, images, templates, datastores, folders. */
export const objectName = z
    .string()
    .min(1, "must not be empty")
    .max(255, "must be at most 255 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._:/()+-]*$/, "may contain only letters, digits, spaces and . _ : / ( ) + -");

/** A path inside a Git repository. */
export const repoPath = z
    .string()
    .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, "must be a relative path of letters, digits, '.', '_', '-' and '/'")
    .refine((value) => !value.split("/").includes(".."), { message: "must not contain '..'" });

/** A Git branch or tag name restricted to characters that are safe everywhere. */
export const gitRef = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/, "must be a Git ref of letters, digits, '.', '_', '-' and '/'");

/** A Git URL over HTTPS or SSH, in the URL forms Flux accepts (not the scp-like `git@host:path`). */
export const gitUrl = z
    .string()
    .regex(
        /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~\/-]+|ssh:\/\/[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~\/-]+)$/,
        "must be a Git URL over https:// or ssh:// without credentials or query strings (write git@host:org/repo as ssh://git@host/org/repo)",
    );

export function gitUrlScheme(url: string): "https" | "ssh" {
    return url.startsWith("https://") ? "https" : "ssh";
}

/** A Go duration as Flux and Velero accept it: 5m, 1h30m, 720h. */
export const duration = z
    .string()
    .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, "must be a duration such as 30s, 5m or 1h30m");

/** A five-field cron expression with the characters cron accepts. */
export const cron = z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, "must be a five-field cron expression such as '0 2 * * *'")
    .regex(/^[0-9*\/,\- A-Za-z]+$/, "may contain only digits, letters, '*', '/', ',', '-' and spaces");

/** Kubernetes label or annotation key (optional DNS prefix, then a name). */
export const labelKey = z
    .string()
    .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        "must be a Kubernetes label key: [prefix/]name, name up to 63 characters of letters, digits, '-', '_', '.'",
    );

/** Kubernetes label value (may be empty). */
export const labelValue = z
    .string()
    .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "must be a Kubernetes label value: up to 63 letters, digits, '-', '_', '.'");

/** An SSH public key in OpenSSH authorized_keys form. */
export const sshPublicKey = z
    .string()
    .regex(
        /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+\/=]+( [A-Za-z0-9@._+-]+)?$/,
        "must be one OpenSSH public key line such as 'ssh-ed25519 AAAA… user@host'",
    );

/** Host names or addresses of NTP servers. */
export const hostOrAddress = z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, "must be a host name or an IPv4 address");

/** Identifiers of cloud objects (UUIDs and similar). */
export const cloudId = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be an identifier of letters, digits, '.', '_', ':' and '-'");
