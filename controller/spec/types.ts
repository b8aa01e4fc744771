/**
 * TypeScript types for Argo Workflows' argoproj.io/v1alpha1 documents (Workflow, WorkflowTemplate,
 * ClusterWorkflowTemplate, CronWorkflow), their status, and the Kubernetes pod fields Argo passes
 * through. Field names are Argo's JSON names. The runtime description of the same shapes, used by
 * the linter, is `schema.ts`; `tests/spec/schema.test.ts` fails type-checking when the two drift.
 *
 * The definitions live in `types/`, one file per concept; this module is their public face.
 *
 * @module
 */

export * from "./types/k8s_meta.ts";
export * from "./types/k8s_container.ts";
export * from "./types/k8s_pod.ts";
export * from "./types/artifact.ts";
export * from "./types/template.ts";
export * from "./types/workflow.ts";
export * from "./types/status.ts";

import type * as M from "./types/k8s_meta.ts";
import type * as C from "./types/k8s_container.ts";
import type * as P from "./types/k8s_pod.ts";
import type * as A from "./types/artifact.ts";
import type * as T from "./types/template.ts";
import type * as W from "./types/workflow.ts";
import type * as S from "./types/status.ts";

/**
 * Every named object type that can appear as a field value, keyed by the name `SCHEMA` uses for
 * it. Types that are only ever embedded inline (S3Bucket, HDFSConfig, ...) are not listed.
 */
export interface SpecTypes {
  // Documents and workflow-level spec
  Workflow: W.Workflow;
  WorkflowTemplate: W.WorkflowTemplate;
  ClusterWorkflowTemplate: W.ClusterWorkflowTemplate;
  CronWorkflow: W.CronWorkflow;
  WorkflowSpec: W.WorkflowSpec;
  WorkflowTemplateRef: W.WorkflowTemplateRef;
  WorkflowMetadata: W.WorkflowMetadata;
  LabelValueFrom: W.LabelValueFrom;
  TTLStrategy: W.TTLStrategy;
  PodGC: W.PodGC;
  VolumeClaimGC: W.VolumeClaimGC;
  CronWorkflowSpec: W.CronWorkflowSpec;
  StopStrategy: W.StopStrategy;
  // Templates
  Template: T.Template;
  Metadata: T.Metadata;
  WorkflowStep: T.WorkflowStep;
  LifecycleHook: T.LifecycleHook;
  TemplateRef: T.TemplateRef;
  Sequence: T.Sequence;
  ContinueOn: T.ContinueOn;
  DAGTemplate: T.DAGTemplate;
  DAGTask: T.DAGTask;
  RetryStrategy: T.RetryStrategy;
  Backoff: T.Backoff;
  RetryAffinity: T.RetryAffinity;
  RetryNodeAntiAffinity: T.RetryNodeAntiAffinity;
  ScriptTemplate: T.ScriptTemplate;
  UserContainer: T.UserContainer;
  ResourceTemplate: T.ResourceTemplate;
  ManifestFrom: T.ManifestFrom;
  SuspendTemplate: T.SuspendTemplate;
  ContainerSetTemplate: T.ContainerSetTemplate;
  ContainerNode: T.ContainerNode;
  ContainerSetRetryStrategy: T.ContainerSetRetryStrategy;
  Data: T.Data;
  DataSource: T.DataSource;
  TransformationStep: T.TransformationStep;
  HTTP: T.HTTP;
  HTTPHeader: T.HTTPHeader;
  HTTPHeaderSource: T.HTTPHeaderSource;
  HTTPBodySource: T.HTTPBodySource;
  Plugin: T.Plugin;
  ExecutorConfig: T.ExecutorConfig;
  Synchronization: T.Synchronization;
  SemaphoreRef: T.SemaphoreRef;
  SyncDatabaseRef: T.SyncDatabaseRef;
  Mutex: T.Mutex;
  Memoize: T.Memoize;
  Cache: T.Cache;
  Metrics: T.Metrics;
  Prometheus: T.Prometheus;
  MetricLabel: T.MetricLabel;
  Gauge: T.Gauge;
  Histogram: T.Histogram;
  Counter: T.Counter;
  // Parameters and artifacts
  Parameter: A.Parameter;
  ValueFrom: A.ValueFrom;
  SuppliedValueFrom: A.SuppliedValueFrom;
  Arguments: A.Arguments;
  Inputs: A.Inputs;
  Outputs: A.Outputs;
  ArtifactLocation: A.ArtifactLocation;
  Artifact: A.Artifact;
  ArchiveStrategy: A.ArchiveStrategy;
  TarStrategy: A.TarStrategy;
  NoneStrategy: A.NoneStrategy;
  ZipStrategy: A.ZipStrategy;
  ArtifactGC: A.ArtifactGC;
  WorkflowLevelArtifactGC: A.WorkflowLevelArtifactGC;
  ArtifactRepositoryRef: A.ArtifactRepositoryRef;
  CreateS3BucketOptions: A.CreateS3BucketOptions;
  S3EncryptionOptions: A.S3EncryptionOptions;
  S3Artifact: A.S3Artifact;
  GitArtifact: A.GitArtifact;
  HTTPArtifact: A.HTTPArtifact;
  Header: A.Header;
  HTTPAuth: A.HTTPAuth;
  ClientCertAuth: A.ClientCertAuth;
  OAuth2Auth: A.OAuth2Auth;
  OAuth2EndpointParam: A.OAuth2EndpointParam;
  BasicAuth: A.BasicAuth;
  ArtifactoryArtifact: A.ArtifactoryArtifact;
  HDFSArtifact: A.HDFSArtifact;
  RawArtifact: A.RawArtifact;
  OSSLifecycleRule: A.OSSLifecycleRule;
  OSSArtifact: A.OSSArtifact;
  GCSArtifact: A.GCSArtifact;
  AzureArtifact: A.AzureArtifact;
  PluginArtifact: A.PluginArtifact;
  ArtifactRepository: A.ArtifactRepository;
  S3ArtifactRepository: A.S3ArtifactRepository;
  ArtifactoryArtifactRepository: A.ArtifactoryArtifactRepository;
  HDFSArtifactRepository: A.HDFSArtifactRepository;
  OSSArtifactRepository: A.OSSArtifactRepository;
  GCSArtifactRepository: A.GCSArtifactRepository;
  AzureArtifactRepository: A.AzureArtifactRepository;
  PluginArtifactRepository: A.PluginArtifactRepository;
  // Status
  WorkflowStatus: S.WorkflowStatus;
  NodeStatus: S.NodeStatus;
  NodeFlag: S.NodeFlag;
  MemoizationStatus: S.MemoizationStatus;
  NodeSynchronizationStatus: S.NodeSynchronizationStatus;
  Condition: S.Condition;
  SynchronizationStatus: S.SynchronizationStatus;
  SemaphoreStatus: S.SemaphoreStatus;
  SemaphoreHolding: S.SemaphoreHolding;
  MutexStatus: S.MutexStatus;
  MutexHolding: S.MutexHolding;
  ArtGCStatus: S.ArtGCStatus;
  ArtifactRepositoryRefStatus: S.ArtifactRepositoryRefStatus;
  CronWorkflowStatus: S.CronWorkflowStatus;
  // Kubernetes metadata
  ObjectMeta: M.ObjectMeta;
  OwnerReference: M.OwnerReference;
  ManagedFieldsEntry: M.ManagedFieldsEntry;
  ObjectReference: M.ObjectReference;
  LocalObjectReference: M.LocalObjectReference;
  TypedLocalObjectReference: M.TypedLocalObjectReference;
  TypedObjectReference: M.TypedObjectReference;
  LabelSelector: M.LabelSelector;
  LabelSelectorRequirement: M.LabelSelectorRequirement;
  ConfigMapKeySelector: M.ConfigMapKeySelector;
  SecretKeySelector: M.SecretKeySelector;
  // Kubernetes containers
  Container: C.Container;
  ContainerPort: C.ContainerPort;
  EnvFromSource: C.EnvFromSource;
  ConfigMapEnvSource: C.ConfigMapEnvSource;
  SecretEnvSource: C.SecretEnvSource;
  EnvVar: C.EnvVar;
  EnvVarSource: C.EnvVarSource;
  ObjectFieldSelector: C.ObjectFieldSelector;
  ResourceFieldSelector: C.ResourceFieldSelector;
  ResourceRequirements: C.ResourceRequirements;
  ResourceClaim: C.ResourceClaim;
  ContainerResizePolicy: C.ContainerResizePolicy;
  VolumeMount: C.VolumeMount;
  VolumeDevice: C.VolumeDevice;
  Probe: C.Probe;
  ExecAction: C.ExecAction;
  HTTPGetAction: C.HTTPGetAction;
  ProbeHTTPHeader: C.ProbeHTTPHeader;
  TCPSocketAction: C.TCPSocketAction;
  GRPCAction: C.GRPCAction;
  SleepAction: C.SleepAction;
  Lifecycle: C.Lifecycle;
  LifecycleHandler: C.LifecycleHandler;
  SecurityContext: C.SecurityContext;
  Capabilities: C.Capabilities;
  SELinuxOptions: C.SELinuxOptions;
  WindowsSecurityContextOptions: C.WindowsSecurityContextOptions;
  SeccompProfile: C.SeccompProfile;
  AppArmorProfile: C.AppArmorProfile;
  // Kubernetes pods
  Volume: P.Volume;
  EmptyDirVolumeSource: P.EmptyDirVolumeSource;
  HostPathVolumeSource: P.HostPathVolumeSource;
  SecretVolumeSource: P.SecretVolumeSource;
  ConfigMapVolumeSource: P.ConfigMapVolumeSource;
  KeyToPath: P.KeyToPath;
  PersistentVolumeClaimVolumeSource: P.PersistentVolumeClaimVolumeSource;
  ProjectedVolumeSource: P.ProjectedVolumeSource;
  VolumeProjection: P.VolumeProjection;
  SecretProjection: P.SecretProjection;
  ConfigMapProjection: P.ConfigMapProjection;
  DownwardAPIProjection: P.DownwardAPIProjection;
  ServiceAccountTokenProjection: P.ServiceAccountTokenProjection;
  DownwardAPIVolumeSource: P.DownwardAPIVolumeSource;
  DownwardAPIVolumeFile: P.DownwardAPIVolumeFile;
  NFSVolumeSource: P.NFSVolumeSource;
  CSIVolumeSource: P.CSIVolumeSource;
  EphemeralVolumeSource: P.EphemeralVolumeSource;
  PersistentVolumeClaimTemplate: P.PersistentVolumeClaimTemplate;
  PersistentVolumeClaim: P.PersistentVolumeClaim;
  PersistentVolumeClaimSpec: P.PersistentVolumeClaimSpec;
  VolumeResourceRequirements: P.VolumeResourceRequirements;
  PodSecurityContext: P.PodSecurityContext;
  Sysctl: P.Sysctl;
  Affinity: P.Affinity;
  NodeAffinity: P.NodeAffinity;
  NodeSelector: P.NodeSelector;
  NodeSelectorTerm: P.NodeSelectorTerm;
  NodeSelectorRequirement: P.NodeSelectorRequirement;
  PreferredSchedulingTerm: P.PreferredSchedulingTerm;
  PodAffinity: P.PodAffinity;
  PodAntiAffinity: P.PodAntiAffinity;
  PodAffinityTerm: P.PodAffinityTerm;
  WeightedPodAffinityTerm: P.WeightedPodAffinityTerm;
  Toleration: P.Toleration;
  PodDNSConfig: P.PodDNSConfig;
  PodDNSConfigOption: P.PodDNSConfigOption;
  HostAlias: P.HostAlias;
  PodDisruptionBudgetSpec: P.PodDisruptionBudgetSpec;
}
