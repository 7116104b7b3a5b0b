/**
 * Downloads an etcd snapshot the etcd-backup CronJob stored (components/backup/etcd.ts) to the machine that
 * runs Ansible, for a control-plane recovery.
 *
 * Why here and not on a node: Kubespray restores only when etcd has lost quorum, and then the API server
 * cannot serve the CronJob's Secret or start a Job; and roles/recover_control_plane/etcd copies
 * `etcd_snapshot` *from the machine running Ansible* (`copy: src`), so the file has to be here anyway.
 * The credentials are the stack's own (`secrets.backupAccessKeyId`/`backupSecretAccessKey`, the ones the
 * CronJob's Secret holds), handed to the runner on stdin with the SSH key: never on a command line, in an
 * environment or in a log. Requests are signed with AWS Signature Version 4 by the `aws4` library; the
 * addressing follows the CronJob's AWS CLI: path style at a custom endpoint (`backup.storage.s3Url`, Swift's
 * S3 API, Ceph, MinIO), virtual-hosted style at AWS.
 */
import * as aws4 from "aws4";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { pipeline } from "stream/promises";
import { StepError } from "./exec";

export interface S3Object {
    readonly bucket: string;
    readonly key: string;
    readonly region: string;
    /** `backup.storage.s3Url`: a non-AWS endpoint, addressed path-style. */
    readonly endpoint?: string;
}

export interface S3Credentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY = /^[A-Za-z0-9._\/-]{1,1024}$/;
const REGION = /^[a-z0-9-]{1,64}$/;

/** The request for one object: protocol, host, port and path (unsigned). */
export function objectRequest(object: S3Object): { protocol: "http:" | "https:"; hostname: string; port?: number; path: string } {
    if (!BUCKET.test(object.bucket) || !KEY.test(object.key) || object.key.split("/").includes("..") || !REGION.test(object.region)) {
        throw new StepError("fetch the etcd snapshot", "the snapshot's bucket, key or region is malformed (backup.storage, operations.recoverControlPlane.etcdSnapshot)");
    }
    if (object.endpoint) {
        const url = new URL(object.endpoint);
        if (url.protocol !== "http:" && url.protocol !== "https:") throw new StepError("fetch the etcd snapshot", "backup.storage.s3Url must be an http(s) URL");
        const base = url.pathname.replace(/\/+$/, "");
        return { protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path: `${base}/${object.bucket}/${object.key}` };
    }
    return { protocol: "https:", hostname: `${object.bucket}.s3.${object.region}.amazonaws.com`, path: `/${object.key}` };
}

/** An S3 error document's code and message (never the rest: some echo the access key id). */
function s3Error(body: string): string {
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1];
    const message = /<Message>([^<]{1,300})<\/Message>/.exec(body)?.[1];
    return [code, message].filter(Boolean).join(": ") || "no error document";
}

/**
 * GETs the object into `dest` (created 0600: a snapshot holds every Secret of the cluster) and returns its
 * size. Fails naming the object and S3's error code; a partial file is removed.
 */
export async function downloadObject(object: S3Object, credentials: S3Credentials, dest: string, timeoutMs = 120_000): Promise<number> {
    const title = "fetch the etcd snapshot";
    const target = objectRequest(object);
    const where = object.endpoint ? `${object.endpoint} bucket ${object.bucket}, key ${object.key}` : `s3://${object.bucket}/${object.key}`;
    const signed = aws4.sign({ ...target, method: "GET", service: "s3", region: object.region, headers: {} }, { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey });
    const client = target.protocol === "http:" ? http : https;
    try {
        await new Promise<void>((resolve, reject) => {
            const request = client.request({ ...signed, protocol: target.protocol, timeout: timeoutMs }, (response) => {
                if (response.statusCode !== 200) {
                    let body = "";
                    response.setEncoding("utf8");
                    response.on("data", (chunk: string) => { if (body.length < 64 * 1024) body += chunk; });
                    response.on("end", () => reject(new StepError(title, `${where}: HTTP ${response.statusCode} (${s3Error(body)})`)));
                    response.on("error", reject);
                    return;
                }
                pipeline(response, fs.createWriteStream(dest, { mode: 0o600, flags: "w" })).then(resolve, reject);
            });
            request.on("timeout", () => request.destroy(new StepError(title, `${where}: no answer within ${timeoutMs / 1000}s`)));
            request.on("error", (error) => reject(error instanceof StepError ? error : new StepError(title, `${where}: ${error.message}`)));
            request.end();
        });
    } catch (error) {
        fs.rmSync(dest, { force: true });
        throw error;
    }
    const size = fs.statSync(dest).size;
    if (size === 0) {
        fs.rmSync(dest, { force: true });
        throw new StepError(title, `${where} is empty`);
    }
    return size;
}
