// Kubernetes pod-level types Argo passes through: volumes, claims, scheduling, DNS, pod security.

import type {
  IntOrString,
  JsonObject,
  LabelSelector,
  LocalObjectReference,
  ObjectMeta,
  Quantity,
  TypedLocalObjectReference,
  TypedObjectReference,
} from "./k8s_meta.ts";
import type {
  AppArmorProfile,
  ObjectFieldSelector,
  ResourceFieldSelector,
  SeccompProfile,
  SELinuxOptions,
  WindowsSecurityContextOptions,
} from "./k8s_container.ts";

/**
 * A named volume of the pod with exactly one source. The common sources are typed; the rarer
 * in-tree and cloud sources are kept as free-form objects.
 */
export interface Volume {
  name: string;
  emptyDir?: EmptyDirVolumeSource;
  hostPath?: HostPathVolumeSource;
  secret?: SecretVolumeSource;
  configMap?: ConfigMapVolumeSource;
  persistentVolumeClaim?: PersistentVolumeClaimVolumeSource;
  projected?: ProjectedVolumeSource;
  downwardAPI?: DownwardAPIVolumeSource;
  nfs?: NFSVolumeSource;
  csi?: CSIVolumeSource;
  ephemeral?: EphemeralVolumeSource;
  image?: JsonObject;
  awsElasticBlockStore?: JsonObject;
  azureDisk?: JsonObject;
  azureFile?: JsonObject;
  cephfs?: JsonObject;
  cinder?: JsonObject;
  fc?: JsonObject;
  flexVolume?: JsonObject;
  flocker?: JsonObject;
  gcePersistentDisk?: JsonObject;
  gitRepo?: JsonObject;
  glusterfs?: JsonObject;
  iscsi?: JsonObject;
  photonPersistentDisk?: JsonObject;
  portworxVolume?: JsonObject;
  quobyte?: JsonObject;
  rbd?: JsonObject;
  scaleIO?: JsonObject;
  storageos?: JsonObject;
  vsphereVolume?: JsonObject;
}

/** A scratch directory that lives as long as the pod. */
export interface EmptyDirVolumeSource {
  medium?: string;
  sizeLimit?: Quantity;
}

/** A file or directory of the host. */
export interface HostPathVolumeSource {
  path: string;
  type?:
    | ""
    | "DirectoryOrCreate"
    | "Directory"
    | "FileOrCreate"
    | "File"
    | "Socket"
    | "CharDevice"
    | "BlockDevice";
}

/** Projects a Secret's keys as files. */
export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/** Projects a ConfigMap's keys as files. */
export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/** Maps one key to a file path within a volume. */
export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

/** Mounts an existing PersistentVolumeClaim (or one from volumeClaimTemplates). */
export interface PersistentVolumeClaimVolumeSource {
  claimName: string;
  readOnly?: boolean;
}

/** Several sources projected into one directory. */
export interface ProjectedVolumeSource {
  sources?: VolumeProjection[];
  defaultMode?: number;
}

/** One source of a projected volume. */
export interface VolumeProjection {
  secret?: SecretProjection;
  configMap?: ConfigMapProjection;
  downwardAPI?: DownwardAPIProjection;
  serviceAccountToken?: ServiceAccountTokenProjection;
  clusterTrustBundle?: JsonObject;
  podCertificate?: JsonObject;
}

/** A Secret inside a projected volume. */
export interface SecretProjection {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
}

/** A ConfigMap inside a projected volume. */
export interface ConfigMapProjection {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
}

/** Downward API files inside a projected volume. */
export interface DownwardAPIProjection {
  items?: DownwardAPIVolumeFile[];
}

/** A service account token inside a projected volume. */
export interface ServiceAccountTokenProjection {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

/** Pod fields exposed as files. */
export interface DownwardAPIVolumeSource {
  items?: DownwardAPIVolumeFile[];
  defaultMode?: number;
}

/** One downward API file. */
export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

/** An NFS export. */
export interface NFSVolumeSource {
  server: string;
  path: string;
  readOnly?: boolean;
}

/** A volume provided by a CSI driver. */
export interface CSIVolumeSource {
  driver: string;
  readOnly?: boolean;
  fsType?: string;
  volumeAttributes?: Record<string, string>;
  nodePublishSecretRef?: LocalObjectReference;
}

/** A claim created for the pod and deleted with it. */
export interface EphemeralVolumeSource {
  volumeClaimTemplate?: PersistentVolumeClaimTemplate;
}

/** Template of the claim an ephemeral volume creates. */
export interface PersistentVolumeClaimTemplate {
  metadata?: ObjectMeta;
  spec: PersistentVolumeClaimSpec;
}

/** A PersistentVolumeClaim, as written in `volumeClaimTemplates`. */
export interface PersistentVolumeClaim {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PersistentVolumeClaimSpec;
  status?: JsonObject;
}

/** What storage a claim asks for. */
export interface PersistentVolumeClaimSpec {
  accessModes?: string[];
  selector?: LabelSelector;
  resources?: VolumeResourceRequirements;
  volumeName?: string;
  storageClassName?: string;
  volumeMode?: "Block" | "Filesystem";
  dataSource?: TypedLocalObjectReference;
  dataSourceRef?: TypedObjectReference;
  volumeAttributesClassName?: string;
}

/** Storage size requested and limited for a claim. */
export interface VolumeResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
}

/** Pod-level security settings. */
export interface PodSecurityContext {
  seLinuxOptions?: SELinuxOptions;
  windowsOptions?: WindowsSecurityContextOptions;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: "Merge" | "Strict";
  fsGroup?: number;
  sysctls?: Sysctl[];
  fsGroupChangePolicy?: "OnRootMismatch" | "Always";
  seccompProfile?: SeccompProfile;
  appArmorProfile?: AppArmorProfile;
  seLinuxChangePolicy?: string;
}

/** A namespaced kernel parameter. */
export interface Sysctl {
  name: string;
  value: string;
}

/** Pod scheduling constraints. */
export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAntiAffinity;
}

/** Node affinity rules. */
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

/** A union of node selector terms (core/v1 NodeSelector, not the `nodeSelector` label map). */
export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

/** An intersection of node requirements. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** One `key operator values` clause on node labels or fields. */
export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

/** A weighted node preference. */
export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** Co-locate with pods matching a term. */
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

/** Keep away from pods matching a term. */
export interface PodAntiAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

/** Pods matched by labels within namespaces, compared over a topology key. */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  topologyKey: string;
  namespaceSelector?: LabelSelector;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

/** A weighted pod (anti-)affinity preference. */
export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

/** Lets a pod schedule onto nodes with a matching taint. */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
}

/** Extra DNS settings of a pod. */
export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: PodDNSConfigOption[];
}

/** One resolver option. */
export interface PodDNSConfigOption {
  name?: string;
  value?: string;
}

/** An /etc/hosts entry injected into the pod. */
export interface HostAlias {
  ip: string;
  hostnames?: string[];
}

/** How many of the workflow's pods may be disrupted at once (policy/v1). */
export interface PodDisruptionBudgetSpec {
  minAvailable?: IntOrString;
  selector?: LabelSelector;
  maxUnavailable?: IntOrString;
  unhealthyPodEvictionPolicy?: "IfHealthyBudget" | "AlwaysAllow";
}
