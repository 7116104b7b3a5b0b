/**
 * The etcd-backup CronJob (openCenter's, on by default with backup storage) and the Velero restore from
 * the stack file. The CronJob's etcd client settings are checked against the real Kubespray v2.31.0 tree;
 * its upload script runs here under /bin/sh against a stand-in `aws` that records what it is asked.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { restoreObject } from "../../components/backup";
import { ETCD_BACKUP_NAME, ETCD_CERT_DIR, etcdBackupCronJob, etcdImage, UPLOAD_SCRIPT } from "../../components/backup/etcd";
import { loadOfflineStack } from "../../cli/stacks";
import { loadClusterSpec, SpecError } from "../../spec";
import { etcdBackupValues } from "../../spec/rules/gitops";
import { vsphereConfig, withValue } from "../fixtures/configs";
import { named, ofType, runConfig, strings } from "../helpers";
import { cachedRunStack as runStack } from "../runs";
import { validateObject } from "../schemas";

const kubespray = process.env.CLUSTERS_KUBESPRAY_SOURCE ?? path.resolve(__dirname, "..", "..", "..", "shared", "upstream", "kubespray-v2.31.0");

/** Runs the upload script with a stand-in `aws` that logs its arguments and lists `listing` for `s3 ls`. */
function runUpload(env: Record<string, string>, listing: string[]): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-upload-"));
    const log = path.join(dir, "aws.log");
    // `s3api list-objects-v2 --output text` prints the keys tab-separated on one line.
    fs.writeFileSync(path.join(dir, "aws"), `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in *"s3api list-objects-v2"*) printf '%s\\n' '${listing.map((f) => `etcd-snapshots/prod-vs/scheduled/${f}`).join("\t")}' ;; esac\n`, { mode: 0o755 });
    execFileSync("/bin/sh", ["-c", UPLOAD_SCRIPT], { env: { PATH: `${dir}:/usr/bin:/bin`, ...env }, stdio: "pipe" });
    const calls = fs.readFileSync(log, "utf8").trim().split("\n");
    fs.rmSync(dir, { recursive: true, force: true });
    return calls;
}

const ENV = { CRONJOB: "etcd-backup", CLUSTER: "prod-vs", BUCKET: "prod-vs-velero", NODE_NAME: "prod-vs-cp-1", KEEP: "2", S3_URL: "https://s3.acme.example" };

describe("etcd-backup CronJob", () => {
    it("is made by default when the stack has backup storage, at openCenter's schedule, with the S3 credentials from a Secret", async () => {
        const run = await runStack("prod-vsphere");
        const cronJob = named(run, "kubernetes:batch/v1:CronJob", "kube-system/etcd-backup");
        const spec = cronJob.rawInputs.spec as any;
        assert.strictEqual(spec.schedule, "0 1 * * *");
        assert.strictEqual(spec.concurrencyPolicy, "Forbid");
        const pod = spec.jobTemplate.spec.template.spec;
        assert.deepStrictEqual([pod.hostNetwork, pod.nodeSelector], [true, { "node-role.kubernetes.io/control-plane": "" }]);
        assert.deepStrictEqual(pod.initContainers[0].image, "quay.io/coreos/etcd:v3.5.29");
        const upload = pod.containers[0];
        assert.match(upload.image, /^docker\.io\/amazon\/aws-cli:\d+\.\d+\.\d+$/);
        const env = Object.fromEntries(upload.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        assert.deepStrictEqual(env.AWS_SECRET_ACCESS_KEY, { secretKeyRef: { name: "etcd-backup-s3", key: "AWS_SECRET_ACCESS_KEY" } });
        assert.deepStrictEqual([env.BUCKET, env.S3_URL, env.CLUSTER], ["prod-vs-velero", "https://s3.acme.example", "prod-vs"]);
        const secret = named(run, "kubernetes:core/v1:Secret", "kube-system/etcd-backup-s3");
        assert.strictEqual(secret.inputs.stringData, "[secret]");
        assert.ok(cronJob.dependencies.includes(secret.urn));
        assert.ok(!strings(cronJob.inputs).some((s) => s.includes("offline-stand-in")), "no credential in the CronJob");
    });

    it("is left out, with a warning, when the stack has no backup storage", async () => {
        const { backup: _storage, ...withoutBackup } = loadOfflineStack("dev-openstack").values;
        const run = await runConfig(withoutBackup);
        assert.deepStrictEqual(ofType(run, "kubernetes:batch/v1:CronJob"), []);
        assert.ok(run.warnings.some((w) => /^services\.etcd-backup: is on by default but backup\.storage is not set/.test(w)), run.warnings.join("\n"));
    });

    it("refuses an explicit etcd-backup without storage, and values it does not know", () => {
        const base = withValue(withValue(vsphereConfig(), "gitops", { repository: { url: "ssh://git@github.com/o/r.git" } }), "secrets.services", { "vsphere-csi": { server: "vc", username: "u", password: "p" }, "vsphere-cpi": { server: "vc", username: "u", password: "p" }, "kube-prometheus-stack": { grafanaAdminPassword: "x" }, headlamp: { oidcClientSecret: "y" } });
        const issues = (config: Record<string, unknown>) => {
            try {
                loadClusterSpec(config);
                return [];
            } catch (error) {
                return (error as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
            }
        };
        assert.ok(issues(withValue(base, "services", { "etcd-backup": { enabled: true } })).some((i) => i.startsWith("backup.storage: is required while services.etcd-backup")));
        const withStorage = withValue(withValue(withValue(base, "backup.storage", { bucket: "b-etcd" }), "secrets.backupAccessKeyId", "a"), "secrets.backupSecretAccessKey", "b");
        assert.deepStrictEqual(issues(withValue(withStorage, "services", { "etcd-backup": { values: { schedule: "0 3 * * *", keep: 7 } } })), []);
        assert.ok(issues(withValue(withStorage, "services", { "etcd-backup": { values: { retention: 7 } } })).some((i) => i.startsWith("services.etcd-backup.values")));
    });

    it("reaches etcd as Kubespray v2.31.0 installs it: 127.0.0.1:2379, the node's admin client certificate", function () {
        if (!fs.existsSync(path.join(kubespray, "roles"))) {
            console.log(`      skipped: no Kubespray v2.31.0 at ${kubespray} (set CLUSTERS_KUBESPRAY_SOURCE)`);
            this.skip();
        }
        const defaults = fs.readFileSync(path.join(kubespray, "roles/kubespray_defaults/defaults/main/main.yml"), "utf8");
        assert.match(defaults, /^etcd_deployment_type: host$/m);
        const configDir = /^etcd_config_dir: (.+)$/m.exec(defaults)![1];
        assert.match(defaults, /^etcd_cert_dir: "\{\{ etcd_config_dir \}\}\/ssl"$/m);
        assert.strictEqual(ETCD_CERT_DIR, `${configDir}/ssl`);
        const env = fs.readFileSync(path.join(kubespray, "roles/etcd/templates/etcd.env.j2"), "utf8");
        assert.match(env, /ETCDCTL_ENDPOINTS=https:\/\/127\.0\.0\.1:2379/);
        assert.match(env, /ETCDCTL_CACERT=\{\{ etcd_cert_dir \}\}\/ca\.pem/);
        assert.match(env, /ETCDCTL_CERT=\{\{ etcd_cert_dir \}\}\/admin-\{\{ inventory_hostname \}\}\.pem/);
        assert.match(env, /ETCDCTL_KEY=\{\{ etcd_cert_dir \}\}\/admin-\{\{ inventory_hostname \}\}-key\.pem/);
        const job = etcdBackupCronJob({ meta: { name: "c" }, kubernetes: { version: "1.33.7" } } as never, etcdBackupValues({}), { bucket: "b", region: "r" });
        const etcdctl = Object.fromEntries(job.spec.jobTemplate.spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
        assert.deepStrictEqual([etcdctl.ETCDCTL_ENDPOINTS, etcdctl.ETCDCTL_CACERT, etcdctl.ETCDCTL_CERT, etcdctl.ETCDCTL_KEY],
            ["https://127.0.0.1:2379", `${ETCD_CERT_DIR}/ca.pem`, `${ETCD_CERT_DIR}/admin-$(NODE_NAME).pem`, `${ETCD_CERT_DIR}/admin-$(NODE_NAME)-key.pem`]);
        // etcdctl at the release Kubespray installs for the minor (the newest checksummed 3.5 for 1.33)
        const checksums = fs.readFileSync(path.join(kubespray, "roles/kubespray_defaults/vars/main/checksums.yml"), "utf8");
        const amd64 = checksums.slice(checksums.indexOf("etcd_binary_checksums:")).split(/\n  amd64:\n/)[1];
        const newest35 = /^ {4}(3\.5\.\d+):/m.exec(amd64)![1];
        assert.strictEqual(etcdImage("1.33.7"), `quay.io/coreos/etcd:v${newest35}`);
    });

    it("names scheduled snapshots so a person finds them, and keeps the newest per reason", () => {
        const calls = runUpload({ ...ENV, JOB_NAME: "etcd-backup-29520060" }, ["prod-vs-etcd-20260301T010000Z-prod-vs-cp-1-scheduled.db", "prod-vs-etcd-20260228T010000Z-prod-vs-cp-2-scheduled.db", "prod-vs-etcd-20260227T010000Z-prod-vs-cp-1-scheduled.db", "prod-vs-etcd-20260226T010000Z-prod-vs-cp-1-scheduled.db"]);
        assert.match(calls[0], /^configure set default\.s3\.addressing_style path$/);
        assert.match(calls[1], /^--endpoint-url https:\/\/s3\.acme\.example s3 cp \/backup\/snapshot\.db s3:\/\/prod-vs-velero\/etcd-snapshots\/prod-vs\/scheduled\/prod-vs-etcd-\d{8}T\d{6}Z-prod-vs-cp-1-scheduled\.db$/);
        assert.match(calls[2], /s3api list-objects-v2 --bucket prod-vs-velero --prefix etcd-snapshots\/prod-vs\/scheduled\/ --query Contents\[\]\.Key --output text$/);
        assert.deepStrictEqual(calls.filter((c) => c.includes(" s3 rm ")).map((c) => c.split(" s3 rm ")[1]), [
            "s3://prod-vs-velero/etcd-snapshots/prod-vs/scheduled/prod-vs-etcd-20260227T010000Z-prod-vs-cp-1-scheduled.db",
            "s3://prod-vs-velero/etcd-snapshots/prod-vs/scheduled/prod-vs-etcd-20260226T010000Z-prod-vs-cp-1-scheduled.db",
        ]);
    });

    it(`takes a named snapshot from a Job made with kubectl create job --from=cronjob/${ETCD_BACKUP_NAME}`, () => {
        const calls = runUpload({ ...ENV, JOB_NAME: "etcd-backup-pre-upgrade-1-34-1", S3_URL: "" }, []);
        assert.match(calls[0], /^s3 cp \/backup\/snapshot\.db s3:\/\/prod-vs-velero\/etcd-snapshots\/prod-vs\/pre-upgrade-1-34-1\/prod-vs-etcd-\d{8}T\d{6}Z-prod-vs-cp-1-pre-upgrade-1-34-1\.db$/);
    });
});

describe("Velero restore from the stack file", () => {
    const restoreStack = (restore: Record<string, unknown>) => {
        const stack = loadOfflineStack("prod-vsphere");
        return withValue(stack.values, "backup", { ...(stack.values.backup as object), restore });
    };

    it("applies one schema-valid Restore, named by the request, after the backup storage location, replaced on any change", async () => {
        const run = await runConfig(restoreStack({ name: "restore-shop-1", backup: "prod-vs-daily-20260301010012", includedNamespaces: ["shop"] }));
        const restore = named(run, "kubernetes:velero.io/v1:Restore", "restore:velero/restore-shop-1");
        assert.deepStrictEqual(validateObject(restore.rawInputs as never), []);
        assert.deepStrictEqual((restore.rawInputs as any).spec, { backupName: "prod-vs-daily-20260301010012", includedNamespaces: ["shop"], excludedNamespaces: [], restorePVs: true, existingResourcePolicy: "none" });
        assert.deepStrictEqual([restore.options.replaceOnChanges, restore.options.deleteBeforeReplace], [["spec"], true]);
        const location = ofType(run, "kubernetes:velero.io/v1:BackupStorageLocation")[0];
        assert.ok(restore.dependencies.includes(location.urn));
    });

    it("restores the whole cluster by default, and a new request is a new object", () => {
        const spec = loadClusterSpec(restoreStack({ name: "restore-all-2", backup: "prod-vs-weekly-20260301030000" })).spec;
        assert.deepStrictEqual(restoreObject(spec)!.spec.includedNamespaces, ["*"]);
        assert.strictEqual(restoreObject(spec)!.metadata.name, "restore-all-2");
    });

    it("needs backup.enabled", () => {
        const stack = loadOfflineStack("prod-vsphere");
        const config = withValue(stack.values, "backup", { ...(stack.values.backup as object), enabled: false, restore: { name: "r1", backup: "b1" } });
        assert.throws(() => loadClusterSpec(config), /backup\.restore: needs backup\.enabled: true/);
    });
});
