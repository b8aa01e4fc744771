// Argo parameters, arguments, inputs/outputs, artifacts and artifact locations.

import type { ConfigMapKeySelector, SecretKeySelector } from "./k8s_meta.ts";
import type { EnvVar, VolumeMount } from "./k8s_container.ts";
import type { Volume } from "./k8s_pod.ts";
import type { Metadata } from "./template.ts";

/**
 * A named string parameter. Argo reads `value`, `default`, `enum` and `description` as AnyString:
 * YAML numbers and booleans are accepted and become strings (`normalizeDocument` does this), so
 * after normalizing they are always strings.
 */
export interface Parameter {
  name: string;
  /** Used for an input parameter when no value was supplied. */
  default?: string;
  /** The literal value; on an input parameter it wins over a passed value. */
  value?: string;
  /** Where an output (or input) parameter's value comes from. */
  valueFrom?: ValueFrom;
  /** Exports an output parameter as `{{workflow.outputs.parameters.<globalName>}}`. */
  globalName?: string;
  /** The values a user may choose from. */
  enum?: string[];
  description?: string;
}

/** The source of a parameter's value. */
export interface ValueFrom {
  /** File in the container whose content is the value (container/script templates). */
  path?: string;
  /** JSONPath into the resource (resource templates). */
  jsonPath?: string;
  /** jq filter over the resource (resource templates). */
  jqFilter?: string;
  /** expr selector evaluated against the triggering event, e.g. `payload.message`. */
  event?: string;
  /** Reference to a step/task output, e.g. `{{steps.x.outputs.parameters.y}}` (steps/dag templates). */
  parameter?: string;
  /** The value is supplied later, e.g. when resuming a suspend node. */
  supplied?: SuppliedValueFrom;
  configMapKeyRef?: ConfigMapKeySelector;
  /** Secret key holding the value (newer Argo; `examples/arguments-parameters-from-secret.yaml`). */
  secretKeyRef?: SecretKeySelector;
  /** Used if reading from the source fails (AnyString). */
  default?: string;
  /** expr expression that computes the value. */
  expression?: string;
}

/** Placeholder: the value is filled in through the CLI or API. */
// deno-lint-ignore no-empty-interface
export interface SuppliedValueFrom {}

/** Parameters and artifacts passed to a template or workflow. */
export interface Arguments {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

/** What a template takes. */
export interface Inputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

/** What a template produces; `result` and `exitCode` are filled in at run time. */
export interface Outputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
  /** Standard output of a script or container (status only). */
  result?: string;
  /** Exit code of the main container, as a string (status only). */
  exitCode?: string;
}

/** Where an artifact is stored: exactly one of the location kinds. */
export interface ArtifactLocation {
  /** Archive the container logs as an artifact. */
  archiveLogs?: boolean;
  s3?: S3Artifact;
  git?: GitArtifact;
  http?: HTTPArtifact;
  artifactory?: ArtifactoryArtifact;
  hdfs?: HDFSArtifact;
  raw?: RawArtifact;
  oss?: OSSArtifact;
  gcs?: GCSArtifact;
  azure?: AzureArtifact;
  /** Stored through an artifact driver plugin (v4.0). */
  plugin?: PluginArtifact;
}

/** A file or directory passed into or out of a template. */
export interface Artifact extends ArtifactLocation {
  name: string;
  /** Path in the container. */
  path?: string;
  /** File mode bits to set when loading an input artifact (0-0777). */
  mode?: number;
  /** Reference to an earlier artifact, e.g. `{{steps.gen.outputs.artifacts.out}}`. */
  from?: string;
  /** Exports an output artifact as `{{workflow.outputs.artifacts.<globalName>}}`. */
  globalName?: string;
  /** How to archive when saving (default tar+gzip). */
  archive?: ArchiveStrategy;
  /** Do not fail if the artifact is missing. */
  optional?: boolean;
  /** Take only this sub-path of the source. */
  subPath?: string;
  /** Apply `mode` recursively to a directory. */
  recurseMode?: boolean;
  /** expr expression that selects the artifact. */
  fromExpression?: string;
  /** Garbage-collection strategy overriding the workflow's. */
  artifactGC?: ArtifactGC;
  /** Set by the controller once the artifact was garbage collected. */
  deleted?: boolean;
}

/** A data template's artifact source: a (directory) artifact whose paths are listed. */
export type ArtifactPaths = Artifact;

/** How to archive an artifact: one of tar, none, zip. */
export interface ArchiveStrategy {
  tar?: TarStrategy;
  none?: NoneStrategy;
  zip?: ZipStrategy;
}

/** Tar and gzip the file or directory. */
export interface TarStrategy {
  compressionLevel?: number;
}

/** Upload files as they are, without archiving. */
// deno-lint-ignore no-empty-interface
export interface NoneStrategy {}

/** Unzip zipped input artifacts. */
// deno-lint-ignore no-empty-interface
export interface ZipStrategy {}

/** When to delete an artifact, and the pod that does it. */
export interface ArtifactGC {
  strategy?: "" | "OnWorkflowCompletion" | "OnWorkflowDeletion" | "Never";
  podMetadata?: Metadata;
  serviceAccountName?: string;
  env?: EnvVar[];
  volumes?: Volume[];
  volumeMounts?: VolumeMount[];
}

/** Workflow-level artifact GC: ArtifactGC plus workflow-only options. */
export interface WorkflowLevelArtifactGC extends ArtifactGC {
  /** Remove the finalizer even if artifact GC fails. */
  forceFinalizerRemoval?: boolean;
  /** Strategic merge patch for the GC pod. */
  podSpecPatch?: string;
}

/** Names the ConfigMap and key holding the artifact repository configuration. */
export interface ArtifactRepositoryRef {
  configMap?: string;
  key?: string;
}

/** S3 bucket access (embedded in S3 artifacts and repositories). */
export interface S3Bucket {
  endpoint?: string;
  bucket?: string;
  region?: string;
  insecure?: boolean;
  accessKeySecret?: SecretKeySelector;
  secretKeySecret?: SecretKeySelector;
  sessionTokenSecret?: SecretKeySelector;
  roleARN?: string;
  useSDKCreds?: boolean;
  createBucketIfNotPresent?: CreateS3BucketOptions;
  encryptionOptions?: S3EncryptionOptions;
  caSecret?: SecretKeySelector;
}

/** Options for creating a missing S3 bucket. */
export interface CreateS3BucketOptions {
  objectLocking?: boolean;
}

/** S3 server-side encryption options. */
export interface S3EncryptionOptions {
  kmsKeyId?: string;
  kmsEncryptionContext?: string;
  enableEncryption?: boolean;
  serverSideCustomerKeySecret?: SecretKeySelector;
}

/** An object in S3. */
export interface S3Artifact extends S3Bucket {
  key?: string;
}

/** A git repository checked out as an input artifact. */
export interface GitArtifact {
  repo: string;
  revision?: string;
  depth?: number;
  fetch?: string[];
  usernameSecret?: SecretKeySelector;
  passwordSecret?: SecretKeySelector;
  sshPrivateKeySecret?: SecretKeySelector;
  insecureIgnoreHostKey?: boolean;
  disableSubmodules?: boolean;
  singleBranch?: boolean;
  branch?: string;
}

/** A file served over HTTP. */
export interface HTTPArtifact {
  url: string;
  headers?: Header[];
  auth?: HTTPAuth;
}

/** A request header for an HTTP artifact. */
export interface Header {
  name: string;
  value: string;
}

/** Authentication for an HTTP artifact. */
export interface HTTPAuth {
  clientCert?: ClientCertAuth;
  oauth2?: OAuth2Auth;
  basicAuth?: BasicAuth;
}

/** Client certificate authentication. */
export interface ClientCertAuth {
  clientCertSecret?: SecretKeySelector;
  clientKeySecret?: SecretKeySelector;
}

/** OAuth2 client-credentials authentication. */
export interface OAuth2Auth {
  clientIDSecret?: SecretKeySelector;
  clientSecretSecret?: SecretKeySelector;
  tokenURLSecret?: SecretKeySelector;
  scopes?: string[];
  endpointParams?: OAuth2EndpointParam[];
}

/** Extra parameter sent to the OAuth2 token endpoint. */
export interface OAuth2EndpointParam {
  key: string;
  value?: string;
}

/** Basic authentication. */
export interface BasicAuth {
  usernameSecret?: SecretKeySelector;
  passwordSecret?: SecretKeySelector;
}

/** Artifactory credentials (embedded). */
export interface ArtifactoryAuth {
  usernameSecret?: SecretKeySelector;
  passwordSecret?: SecretKeySelector;
}

/** A file in JFrog Artifactory. */
export interface ArtifactoryArtifact extends ArtifactoryAuth {
  url: string;
}

/** Kerberos settings for HDFS (embedded). */
export interface HDFSKrbConfig {
  krbCCacheSecret?: SecretKeySelector;
  krbKeytabSecret?: SecretKeySelector;
  krbUsername?: string;
  krbRealm?: string;
  krbConfigConfigMap?: ConfigMapKeySelector;
  krbServicePrincipalName?: string;
}

/** HDFS access (embedded). */
export interface HDFSConfig extends HDFSKrbConfig {
  addresses?: string[];
  hdfsUser?: string;
  dataTransferProtection?: string;
}

/** A file in HDFS. */
export interface HDFSArtifact extends HDFSConfig {
  path: string;
  force?: boolean;
}

/** Literal content placed as a file. */
export interface RawArtifact {
  data: string;
}

/** Alibaba Cloud OSS bucket access (embedded). */
export interface OSSBucket {
  endpoint?: string;
  bucket?: string;
  accessKeySecret?: SecretKeySelector;
  secretKeySecret?: SecretKeySelector;
  createBucketIfNotPresent?: boolean;
  securityToken?: string;
  lifecycleRule?: OSSLifecycleRule;
  useSDKCreds?: boolean;
}

/** OSS bucket lifecycle. */
export interface OSSLifecycleRule {
  markInfrequentAccessAfterDays?: number;
  markDeletionAfterDays?: number;
}

/** An object in OSS. */
export interface OSSArtifact extends OSSBucket {
  key: string;
}

/** GCS bucket access (embedded). */
export interface GCSBucket {
  bucket?: string;
  serviceAccountKeySecret?: SecretKeySelector;
}

/** An object in Google Cloud Storage. */
export interface GCSArtifact extends GCSBucket {
  key: string;
}

/** Azure Blob Storage container access (embedded). */
export interface AzureBlobContainer {
  endpoint: string;
  container: string;
  accountKeySecret?: SecretKeySelector;
  useSDKCreds?: boolean;
}

/** A blob in Azure Storage. */
export interface AzureArtifact extends AzureBlobContainer {
  blob: string;
}

/** An artifact stored through an artifact driver plugin (v4.0). */
export interface PluginArtifact {
  /** Name of the artifact driver plugin. */
  name?: string;
  /** Plugin-defined configuration (usually YAML text). */
  configuration?: string;
  connectionTimeoutSeconds?: number;
  /** Path of the artifact in the repository. */
  key: string;
}

/** A resolved artifact repository (status of `artifactRepositoryRef`). */
export interface ArtifactRepository {
  archiveLogs?: boolean;
  s3?: S3ArtifactRepository;
  artifactory?: ArtifactoryArtifactRepository;
  hdfs?: HDFSArtifactRepository;
  oss?: OSSArtifactRepository;
  gcs?: GCSArtifactRepository;
  azure?: AzureArtifactRepository;
  plugin?: PluginArtifactRepository;
}

/** S3 as the artifact repository. */
export interface S3ArtifactRepository extends S3Bucket {
  keyFormat?: string;
  keyPrefix?: string;
}

/** Artifactory as the artifact repository. */
export interface ArtifactoryArtifactRepository extends ArtifactoryAuth {
  repoURL?: string;
  keyFormat?: string;
}

/** HDFS as the artifact repository. */
export interface HDFSArtifactRepository extends HDFSConfig {
  pathFormat?: string;
  force?: boolean;
}

/** OSS as the artifact repository. */
export interface OSSArtifactRepository extends OSSBucket {
  keyFormat?: string;
}

/** GCS as the artifact repository. */
export interface GCSArtifactRepository extends GCSBucket {
  keyFormat?: string;
}

/** Azure as the artifact repository. */
export interface AzureArtifactRepository extends AzureBlobContainer {
  blobNameFormat?: string;
}

/** An artifact driver plugin as the artifact repository (v4.0). */
export interface PluginArtifactRepository {
  name: string;
  configuration: string;
  keyFormat?: string;
}
