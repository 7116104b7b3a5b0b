/** Kubernetes objects as plain data, applied as custom resources named `<kind>:<namespace>/<name>`. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: unknown;
}

export function applyObject(object: K8sObject, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    const namespace = object.metadata.namespace ? `${object.metadata.namespace}/` : "";
    return new k8s.apiextensions.CustomResource(`${object.kind.toLowerCase()}:${namespace}${object.metadata.name}`, object, opts);
}
