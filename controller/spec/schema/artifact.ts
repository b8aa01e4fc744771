// Runtime description of the types in types/artifact.ts.

import { anyStr, arr, bool, int, k8s, obj, type ObjectSpec, oneOf, str, strList } from "./fields.ts";

const secret = obj("SecretKeySelector");
const parameters = arr(obj("Parameter"));
const artifacts = arr(obj("Artifact"));

const locationFields = {
  archiveLogs: bool,
  s3: obj("S3Artifact"),
  git: obj("GitArtifact"),
  http: obj("HTTPArtifact"),
  artifactory: obj("ArtifactoryArtifact"),
  hdfs: obj("HDFSArtifact"),
  raw: obj("RawArtifact"),
  oss: obj("OSSArtifact"),
  gcs: obj("GCSArtifact"),
  azure: obj("AzureArtifact"),
  plugin: obj("PluginArtifact"),
} as const;

const artifactGCFields = {
  strategy: oneOf(str, ["", "OnWorkflowCompletion", "OnWorkflowDeletion", "Never"]),
  podMetadata: obj("Metadata"),
  serviceAccountName: k8s(str),
  env: arr(obj("EnvVar")),
  volumes: arr(obj("Volume")),
  volumeMounts: arr(obj("VolumeMount")),
} as const;

const s3Bucket = {
  endpoint: str,
  bucket: str,
  region: str,
  insecure: bool,
  accessKeySecret: secret,
  secretKeySecret: secret,
  sessionTokenSecret: secret,
  roleARN: str,
  useSDKCreds: bool,
  createBucketIfNotPresent: obj("CreateS3BucketOptions"),
  encryptionOptions: obj("S3EncryptionOptions"),
  caSecret: secret,
} as const;
const artifactoryAuth = { usernameSecret: secret, passwordSecret: secret } as const;
const hdfsConfig = {
  krbCCacheSecret: secret,
  krbKeytabSecret: secret,
  krbUsername: str,
  krbRealm: str,
  krbConfigConfigMap: obj("ConfigMapKeySelector"),
  krbServicePrincipalName: str,
  addresses: strList,
  hdfsUser: str,
  dataTransferProtection: str,
} as const;
const ossBucket = {
  endpoint: str,
  bucket: str,
  accessKeySecret: secret,
  secretKeySecret: secret,
  createBucketIfNotPresent: bool,
  securityToken: str,
  lifecycleRule: obj("OSSLifecycleRule"),
  useSDKCreds: bool,
} as const;
const gcsBucket = { bucket: str, serviceAccountKeySecret: secret } as const;
const azureContainer = {
  endpoint: str,
  container: str,
  accountKeySecret: secret,
  useSDKCreds: bool,
} as const;

/** Parameters, arguments, inputs/outputs, artifacts and their locations. */
export const artifactTypes = {
  Parameter: {
    fields: {
      name: str,
      default: anyStr,
      value: anyStr,
      valueFrom: obj("ValueFrom"),
      globalName: str,
      enum: arr(anyStr),
      description: anyStr,
    },
  },
  ValueFrom: {
    fields: {
      path: str,
      jsonPath: str,
      jqFilter: str,
      event: str,
      parameter: str,
      supplied: obj("SuppliedValueFrom"),
      configMapKeyRef: k8s(obj("ConfigMapKeySelector")),
      secretKeyRef: k8s(obj("SecretKeySelector")),
      default: anyStr,
      expression: str,
    },
  },
  SuppliedValueFrom: { fields: {} },
  Arguments: { fields: { parameters, artifacts } },
  Inputs: { fields: { parameters, artifacts } },
  Outputs: { fields: { parameters, artifacts, result: str, exitCode: str } },
  ArtifactLocation: { fields: locationFields },
  Artifact: {
    fields: {
      ...locationFields,
      name: str,
      path: str,
      mode: int,
      from: str,
      globalName: str,
      archive: obj("ArchiveStrategy"),
      optional: bool,
      subPath: str,
      recurseMode: bool,
      fromExpression: str,
      artifactGC: obj("ArtifactGC"),
      deleted: bool,
    },
  },
  ArchiveStrategy: {
    fields: { tar: obj("TarStrategy"), none: obj("NoneStrategy"), zip: obj("ZipStrategy") },
  },
  TarStrategy: { fields: { compressionLevel: int } },
  NoneStrategy: { fields: {} },
  ZipStrategy: { fields: {} },
  ArtifactGC: { fields: artifactGCFields },
  WorkflowLevelArtifactGC: {
    fields: { ...artifactGCFields, forceFinalizerRemoval: bool, podSpecPatch: k8s(str) },
  },
  ArtifactRepositoryRef: { fields: { configMap: str, key: str } },
  CreateS3BucketOptions: { fields: { objectLocking: bool } },
  S3EncryptionOptions: {
    fields: {
      kmsKeyId: str,
      kmsEncryptionContext: str,
      enableEncryption: bool,
      serverSideCustomerKeySecret: secret,
    },
  },
  S3Artifact: { fields: { ...s3Bucket, key: str } },
  GitArtifact: {
    fields: {
      repo: str,
      revision: str,
      depth: int,
      fetch: strList,
      usernameSecret: secret,
      passwordSecret: secret,
      sshPrivateKeySecret: secret,
      insecureIgnoreHostKey: bool,
      disableSubmodules: bool,
      singleBranch: bool,
      branch: str,
    },
  },
  HTTPArtifact: { fields: { url: str, headers: arr(obj("Header")), auth: obj("HTTPAuth") } },
  Header: { fields: { name: str, value: str } },
  HTTPAuth: {
    fields: { clientCert: obj("ClientCertAuth"), oauth2: obj("OAuth2Auth"), basicAuth: obj("BasicAuth") },
  },
  ClientCertAuth: { fields: { clientCertSecret: secret, clientKeySecret: secret } },
  OAuth2Auth: {
    fields: {
      clientIDSecret: secret,
      clientSecretSecret: secret,
      tokenURLSecret: secret,
      scopes: strList,
      endpointParams: arr(obj("OAuth2EndpointParam")),
    },
  },
  OAuth2EndpointParam: { fields: { key: str, value: str } },
  BasicAuth: { fields: artifactoryAuth },
  ArtifactoryArtifact: { fields: { ...artifactoryAuth, url: str } },
  HDFSArtifact: { fields: { ...hdfsConfig, path: str, force: bool } },
  RawArtifact: { fields: { data: str } },
  OSSLifecycleRule: { fields: { markInfrequentAccessAfterDays: int, markDeletionAfterDays: int } },
  OSSArtifact: { fields: { ...ossBucket, key: str } },
  GCSArtifact: { fields: { ...gcsBucket, key: str } },
  AzureArtifact: { fields: { ...azureContainer, blob: str } },
  PluginArtifact: { fields: { name: str, configuration: str, connectionTimeoutSeconds: int, key: str } },
  ArtifactRepository: {
    fields: {
      archiveLogs: bool,
      s3: obj("S3ArtifactRepository"),
      artifactory: obj("ArtifactoryArtifactRepository"),
      hdfs: obj("HDFSArtifactRepository"),
      oss: obj("OSSArtifactRepository"),
      gcs: obj("GCSArtifactRepository"),
      azure: obj("AzureArtifactRepository"),
      plugin: obj("PluginArtifactRepository"),
    },
  },
  S3ArtifactRepository: { fields: { ...s3Bucket, keyFormat: str, keyPrefix: str } },
  ArtifactoryArtifactRepository: { fields: { ...artifactoryAuth, repoURL: str, keyFormat: str } },
  HDFSArtifactRepository: { fields: { ...hdfsConfig, pathFormat: str, force: bool } },
  OSSArtifactRepository: { fields: { ...ossBucket, keyFormat: str } },
  GCSArtifactRepository: { fields: { ...gcsBucket, keyFormat: str } },
  AzureArtifactRepository: { fields: { ...azureContainer, blobNameFormat: str } },
  PluginArtifactRepository: { fields: { name: str, configuration: str, keyFormat: str } },
} as const satisfies Record<string, ObjectSpec>;
