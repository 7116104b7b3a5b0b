/**
 * The cluster's keys, made by `@pulumi/tls` and kept in state as secrets: the SSH key Ansible logs in
 * with and the SOPS age identity Flux decrypts with. One key per rotation generation
 * (`operations.keyRotation.sshGeneration` / `ageGeneration`); while a generation is current the one
 * before it is kept, so a rotation can authorize the new SSH key with the old one and the age keys
 * file can still decrypt what was encrypted for the old recipient. When each key was made comes from
 * a command resource that ran once at creation (no clock in the program); the due date follows from
 * openCenter's periods (SSH 180 days, age 90 days), configurable.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { ClusterSpec } from "../../spec";
import { ageKeyFromEd25519 } from "./age";

export interface ClusterKeysArgs {
    readonly spec: ClusterSpec;
    /** Private key already authorized on existing hosts (secret); no SSH key is generated then. */
    readonly existingPrivateKey?: pulumi.Output<string>;
}

export interface KeyDates {
    readonly createdAt: pulumi.Output<string>;
    readonly rotationDue: pulumi.Output<string>;
}

/** `created` plus `days`, as an ISO date-time. */
export function dueDate(created: string, days: number): string {
    const time = Date.parse(created);
    return Number.isNaN(time) ? "" : new Date(time + days * 86_400_000).toISOString().replace(/\.000Z$/, "Z");
}

export class ClusterKeys extends pulumi.ComponentResource {
    /** OpenSSH private key Ansible logs in with (secret). */
    readonly sshPrivateKey: pulumi.Output<string>;
    /** The previous generation's private key while a rotation is in progress (secret). */
    readonly previousSshPrivateKey?: pulumi.Output<string>;
    /** Public keys to authorize at first boot: the current generation's. */
    readonly authorizedKeys: pulumi.Output<string[]>;
    readonly sshPublicKey: pulumi.Output<string>;
    readonly ssh?: KeyDates;
    /** `AGE-SECRET-KEY-1…` lines, current generation first (secret): the `sops-age` keys file. */
    readonly ageKeysFile: pulumi.Output<string>;
    /** `age1…` recipient of the current generation: goes into `.sops.yaml`. */
    readonly ageRecipient: pulumi.Output<string>;
    readonly age: KeyDates;

    constructor(name: string, args: ClusterKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:keys:ClusterKeys", name, {}, opts);
        const { spec } = args;
        const cluster = spec.meta.name;
        const rotation = spec.operations.keyRotation;
        if (args.existingPrivateKey) {
            this.sshPrivateKey = pulumi.secret(args.existingPrivateKey);
            this.sshPublicKey = pulumi.output("");
            this.authorizedKeys = pulumi.output([]);
        } else {
            const current = this.key(`${cluster}-ssh-g${rotation.sshGeneration}`);
            this.sshPrivateKey = pulumi.secret(current.privateKeyOpenssh);
            this.sshPublicKey = current.publicKeyOpenssh.apply((k) => k.trim());
            this.authorizedKeys = this.sshPublicKey.apply((k) => [k]);
            this.ssh = this.dates(`${cluster}-ssh-g${rotation.sshGeneration}`, rotation.sshDays);
            if (rotation.sshGeneration > 0) {
                this.previousSshPrivateKey = pulumi.secret(this.key(`${cluster}-ssh-g${rotation.sshGeneration - 1}`).privateKeyOpenssh);
            }
        }
        const generations = rotation.ageGeneration > 0 ? [rotation.ageGeneration, rotation.ageGeneration - 1] : [rotation.ageGeneration];
        const ageKeys = generations.map((g) => this.key(`${cluster}-age-g${g}`).privateKeyPem.apply(ageKeyFromEd25519));
        this.ageKeysFile = pulumi.secret(pulumi.all(ageKeys).apply((keys) => `${keys.map((k) => `# recipient: ${k.recipient}\n${k.identity}`).join("\n")}\n`));
        this.ageRecipient = ageKeys[0].apply((k) => k.recipient);
        this.age = this.dates(`${cluster}-age-g${rotation.ageGeneration}`, rotation.ageDays);
        this.registerOutputs({ sshPublicKey: this.sshPublicKey, ageRecipient: this.ageRecipient });
    }

    private key(name: string): tls.PrivateKey {
        return new tls.PrivateKey(name, { algorithm: "ED25519" }, { parent: this, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh"] });
    }

    private dates(keyName: string, days: number): KeyDates {
        return keyDates(this, keyName, days);
    }
}

/** The creation time of a key, recorded once by a command that runs only when the key is made, and its due date. */
export function keyDates(parent: pulumi.Resource, keyName: string, days: number): KeyDates {
    const stamp = new command.local.Command(`${keyName}-created-at`, {
        create: "date -u +%Y-%m-%dT%H:%M:%SZ",
        logging: "none",
    }, { parent });
    const createdAt = stamp.stdout.apply((s) => s.trim());
    return { createdAt, rotationDue: createdAt.apply((c) => dueDate(c, days)) };
}
