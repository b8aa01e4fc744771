// Kubernetes core/v1 Container and the types it is made of, as Argo passes them through.

import type { ConfigMapKeySelector, IntOrString, Quantity, SecretKeySelector } from "./k8s_meta.ts";

/** A container (core/v1 Container). In an Argo template `name` may be omitted (it becomes "main"). */
export interface Container {
  name?: string;
  image?: string;
  /** Entrypoint array; not run in a shell. */
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  envFrom?: EnvFromSource[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  resizePolicy?: ContainerResizePolicy[];
  /** Only for init containers acting as sidecars (`Always`). */
  restartPolicy?: "Always" | "Never" | "OnFailure";
  volumeMounts?: VolumeMount[];
  volumeDevices?: VolumeDevice[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  terminationMessagePath?: string;
  terminationMessagePolicy?: "File" | "FallbackToLogsOnError";
  imagePullPolicy?: "Always" | "Never" | "IfNotPresent";
  securityContext?: SecurityContext;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

/** A network port exposed by a container. */
export interface ContainerPort {
  name?: string;
  hostPort?: number;
  containerPort: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  hostIP?: string;
}

/** Populates environment variables from a ConfigMap or Secret. */
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: ConfigMapEnvSource;
  secretRef?: SecretEnvSource;
}

/** Every key of a ConfigMap as environment variables. */
export interface ConfigMapEnvSource {
  name?: string;
  optional?: boolean;
}

/** Every key of a Secret as environment variables. */
export interface SecretEnvSource {
  name?: string;
  optional?: boolean;
}

/** One environment variable: a literal `value` or a `valueFrom` source. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

/** Where an environment variable's value comes from (all of these need Kubernetes). */
export interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: ConfigMapKeySelector;
  secretKeyRef?: SecretKeySelector;
}

/** Selects a field of the pod, e.g. `metadata.name`. */
export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

/** Selects a resource limit or request of a container, e.g. `limits.cpu`. */
export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: Quantity;
}

/** Compute resources: `requests` and `limits` per resource name (cpu, memory, ...). */
export interface ResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
  claims?: ResourceClaim[];
}

/** A dynamic resource claim used by a container. */
export interface ResourceClaim {
  name: string;
  request?: string;
}

/** How a container reacts to an in-place resource resize. */
export interface ContainerResizePolicy {
  resourceName: string;
  restartPolicy: "NotRequired" | "RestartContainer";
}

/** Mounts a volume of the pod into the container. */
export interface VolumeMount {
  name: string;
  readOnly?: boolean;
  recursiveReadOnly?: "Disabled" | "IfPossible" | "Enabled";
  mountPath: string;
  subPath?: string;
  mountPropagation?: "None" | "HostToContainer" | "Bidirectional";
  subPathExpr?: string;
}

/** Maps a raw block device of the pod into the container. */
export interface VolumeDevice {
  name: string;
  devicePath: string;
}

/** A health check: one handler plus timing. */
export interface Probe {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** Runs a command in the container. */
export interface ExecAction {
  command?: string[];
}

/** An HTTP GET against the container. */
export interface HTTPGetAction {
  path?: string;
  port: IntOrString;
  host?: string;
  scheme?: "HTTP" | "HTTPS";
  httpHeaders?: ProbeHTTPHeader[];
}

/** A header of a probe's HTTP GET (core/v1 HTTPHeader; renamed to not clash with Argo's HTTPHeader). */
export interface ProbeHTTPHeader {
  name: string;
  value: string;
}

/** Opens a TCP connection to the container. */
export interface TCPSocketAction {
  port: IntOrString;
  host?: string;
}

/** A gRPC health check. */
export interface GRPCAction {
  port: number;
  service?: string;
}

/** Sleeps for a number of seconds. */
export interface SleepAction {
  seconds: number;
}

/** Actions the kubelet takes after a container starts and before it stops. */
export interface Lifecycle {
  postStart?: LifecycleHandler;
  preStop?: LifecycleHandler;
  stopSignal?: string;
}

/** One lifecycle action. */
export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: SleepAction;
}

/** Container-level security settings. */
export interface SecurityContext {
  capabilities?: Capabilities;
  privileged?: boolean;
  seLinuxOptions?: SELinuxOptions;
  windowsOptions?: WindowsSecurityContextOptions;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  procMount?: "Default" | "Unmasked";
  seccompProfile?: SeccompProfile;
  appArmorProfile?: AppArmorProfile;
}

/** Linux capabilities to add or drop. */
export interface Capabilities {
  add?: string[];
  drop?: string[];
}

/** SELinux labels. */
export interface SELinuxOptions {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

/** Windows-specific security options. */
export interface WindowsSecurityContextOptions {
  gmsaCredentialSpecName?: string;
  gmsaCredentialSpec?: string;
  runAsUserName?: string;
  hostProcess?: boolean;
}

/** Seccomp profile selection. */
export interface SeccompProfile {
  type: "Localhost" | "RuntimeDefault" | "Unconfined";
  localhostProfile?: string;
}

/** AppArmor profile selection. */
export interface AppArmorProfile {
  type: "Localhost" | "RuntimeDefault" | "Unconfined";
  localhostProfile?: string;
}
