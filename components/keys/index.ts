/**
 * The cluster's SSH key: an ED25519 key pair made by `@pulumi/tls` and kept in state as a secret,
 * one per rotation generation (`operations.keyRotation.sshGeneration`). On existing hosts the key
 * already authorized there (`secrets.sshPrivateKey`) is used instead.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { ClusterSpec } from "../../spec";

export interface ClusterKeysArgs {
    readonly spec: ClusterSpec;
    /** Private key already authorized on existing hosts (secret). */
    readonly existingPrivateKey?: pulumi.Output<string>;
}

export class ClusterKeys extends pulumi.ComponentResource {
    /** OpenSSH private key Ansible logs in with (secret). */
    readonly sshPrivateKey: pulumi.Output<string>;
    /** Public keys to authorize at first boot, current generation first. */
    readonly authorizedKeys: pulumi.Output<string[]>;
    readonly sshPublicKey: pulumi.Output<string>;

    constructor(name: string, args: ClusterKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:keys:ClusterKeys", name, {}, opts);
        const { spec } = args;
        if (args.existingPrivateKey) {
            this.sshPrivateKey = pulumi.secret(args.existingPrivateKey);
            this.sshPublicKey = pulumi.output("");
            this.authorizedKeys = pulumi.output([]);
        } else {
            const generation = spec.operations.keyRotation.sshGeneration;
            const key = new tls.PrivateKey(`${spec.meta.name}-ssh-g${generation}`, { algorithm: "ED25519" }, { parent: this });
            this.sshPrivateKey = pulumi.secret(key.privateKeyOpenssh);
            this.sshPublicKey = key.publicKeyOpenssh.apply((k) => k.trim());
            this.authorizedKeys = this.sshPublicKey.apply((k) => [k]);
        }
        this.registerOutputs({ sshPublicKey: this.sshPublicKey });
    }
}
