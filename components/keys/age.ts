/**
 * The SOPS age identity, derived from an ED25519 key that `@pulumi/tls` made and keeps in state
 * (no value is generated outside a resource). The ED25519 seed's SHA-512, clamped, is an X25519
 * scalar, the same conversion `ssh-to-age` uses; the identity and recipient are encoded in age's
 * bech32 forms `AGE-SECRET-KEY-1…` and `age1…`.
 */
import { bech32 } from "bech32";
import { createHash, createPrivateKey, createPublicKey } from "crypto";

export interface AgeKey {
    /** `AGE-SECRET-KEY-1…` (secret). */
    readonly identity: string;
    /** `age1…` (public). */
    readonly recipient: string;
}

const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** The 32-byte seed of an ED25519 private key in PKCS#8 PEM. */
export function ed25519Seed(pem: string): Buffer {
    const der = createPrivateKey(pem).export({ format: "der", type: "pkcs8" });
    return Buffer.from(der.subarray(der.length - 32));
}

export function ageKeyFromEd25519(pem: string): AgeKey {
    const scalar = createHash("sha512").update(ed25519Seed(pem)).digest().subarray(0, 32);
    scalar[0] &= 248;
    scalar[31] &= 127;
    scalar[31] |= 64;
    const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, scalar]), format: "der", type: "pkcs8" });
    const publicDer = createPublicKey(privateKey).export({ format: "der", type: "spki" });
    const publicKey = publicDer.subarray(publicDer.length - 32);
    return {
        identity: bech32.encode("age-secret-key-", bech32.toWords(scalar), 1023).toUpperCase(),
        recipient: bech32.encode("age", bech32.toWords(publicKey), 1023),
    };
}
