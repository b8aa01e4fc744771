// Runtime description of the Kubernetes types in types/k8s_*.ts.

import {
  arr,
  bool,
  int,
  intOrStr,
  json,
  k8s,
  map,
  obj,
  type ObjectSpec,
  oneOf,
  qty,
  str,
  strList,
  strMap,
  time,
} from "./fields.ts";

const selectorFields = { name: str, key: str, optional: bool } as const;
const envSourceFields = { name: str, optional: bool } as const;
const quantities = map(qty);

/** Kubernetes container fields, shared by Container, ScriptTemplate, UserContainer and ContainerNode. */
export const containerFields = {
  name: str,
  image: str,
  command: strList,
  args: strList,
  workingDir: str,
  ports: arr(obj("ContainerPort")),
  envFrom: k8s(arr(obj("EnvFromSource"))),
  env: arr(obj("EnvVar")),
  resources: obj("ResourceRequirements"),
  resizePolicy: k8s(arr(obj("ContainerResizePolicy"))),
  restartPolicy: k8s(oneOf(str, ["Always", "Never", "OnFailure"])),
  volumeMounts: arr(obj("VolumeMount")),
  volumeDevices: k8s(arr(obj("VolumeDevice"))),
  livenessProbe: k8s(obj("Probe")),
  readinessProbe: obj("Probe"),
  startupProbe: k8s(obj("Probe")),
  lifecycle: k8s(obj("Lifecycle")),
  terminationMessagePath: k8s(str),
  terminationMessagePolicy: k8s(oneOf(str, ["File", "FallbackToLogsOnError"])),
  imagePullPolicy: oneOf(str, ["Always", "Never", "IfNotPresent"]),
  securityContext: obj("SecurityContext"),
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
} as const;

const seccomp = {
  type: oneOf(str, ["Localhost", "RuntimeDefault", "Unconfined"]),
  localhostProfile: str,
} as const;
const podAffinity = {
  requiredDuringSchedulingIgnoredDuringExecution: arr(obj("PodAffinityTerm")),
  preferredDuringSchedulingIgnoredDuringExecution: arr(obj("WeightedPodAffinityTerm")),
} as const;
const projectionFields = { name: str, items: arr(obj("KeyToPath")), optional: bool } as const;

/** Kubernetes metadata, container and pod types. */
export const k8sTypes = {
  // metadata (types/k8s_meta.ts)
  ObjectMeta: {
    fields: {
      name: str,
      generateName: str,
      namespace: str,
      selfLink: str,
      uid: str,
      resourceVersion: str,
      generation: int,
      creationTimestamp: time,
      deletionTimestamp: time,
      deletionGracePeriodSeconds: int,
      labels: strMap,
      annotations: strMap,
      ownerReferences: arr(obj("OwnerReference")),
      finalizers: strList,
      managedFields: arr(obj("ManagedFieldsEntry")),
    },
  },
  OwnerReference: {
    fields: { apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool },
  },
  ManagedFieldsEntry: {
    fields: {
      manager: str,
      operation: str,
      apiVersion: str,
      time: time,
      fieldsType: str,
      fieldsV1: json,
      subresource: str,
    },
  },
  ObjectReference: {
    fields: {
      kind: str,
      namespace: str,
      name: str,
      uid: str,
      apiVersion: str,
      resourceVersion: str,
      fieldPath: str,
    },
  },
  LocalObjectReference: { fields: { name: str } },
  TypedLocalObjectReference: { fields: { apiGroup: str, kind: str, name: str } },
  TypedObjectReference: { fields: { apiGroup: str, kind: str, name: str, namespace: str } },
  LabelSelector: { fields: { matchLabels: strMap, matchExpressions: arr(obj("LabelSelectorRequirement")) } },
  LabelSelectorRequirement: {
    fields: { key: str, operator: oneOf(str, ["In", "NotIn", "Exists", "DoesNotExist"]), values: strList },
  },
  ConfigMapKeySelector: { fields: selectorFields },
  SecretKeySelector: { fields: selectorFields },

  // containers (types/k8s_container.ts)
  Container: { fields: containerFields },
  ContainerPort: {
    fields: {
      name: str,
      hostPort: int,
      containerPort: int,
      protocol: oneOf(str, ["TCP", "UDP", "SCTP"]),
      hostIP: str,
    },
  },
  EnvFromSource: {
    fields: { prefix: str, configMapRef: obj("ConfigMapEnvSource"), secretRef: obj("SecretEnvSource") },
  },
  ConfigMapEnvSource: { fields: envSourceFields },
  SecretEnvSource: { fields: envSourceFields },
  EnvVar: { fields: { name: str, value: str, valueFrom: k8s(obj("EnvVarSource")) } },
  EnvVarSource: {
    fields: {
      fieldRef: obj("ObjectFieldSelector"),
      resourceFieldRef: obj("ResourceFieldSelector"),
      configMapKeyRef: obj("ConfigMapKeySelector"),
      secretKeyRef: obj("SecretKeySelector"),
    },
  },
  ObjectFieldSelector: { fields: { apiVersion: str, fieldPath: str } },
  ResourceFieldSelector: { fields: { containerName: str, resource: str, divisor: qty } },
  ResourceRequirements: {
    fields: { limits: quantities, requests: quantities, claims: arr(obj("ResourceClaim")) },
  },
  ResourceClaim: { fields: { name: str, request: str } },
  ContainerResizePolicy: {
    fields: { resourceName: str, restartPolicy: oneOf(str, ["NotRequired", "RestartContainer"]) },
  },
  VolumeMount: {
    fields: {
      name: str,
      readOnly: bool,
      recursiveReadOnly: oneOf(str, ["Disabled", "IfPossible", "Enabled"]),
      mountPath: str,
      subPath: str,
      mountPropagation: oneOf(str, ["None", "HostToContainer", "Bidirectional"]),
      subPathExpr: str,
    },
  },
  VolumeDevice: { fields: { name: str, devicePath: str } },
  Probe: {
    fields: {
      exec: obj("ExecAction"),
      httpGet: obj("HTTPGetAction"),
      tcpSocket: obj("TCPSocketAction"),
      grpc: obj("GRPCAction"),
      initialDelaySeconds: int,
      timeoutSeconds: int,
      periodSeconds: int,
      successThreshold: int,
      failureThreshold: int,
      terminationGracePeriodSeconds: int,
    },
  },
  ExecAction: { fields: { command: strList } },
  HTTPGetAction: {
    fields: {
      path: str,
      port: intOrStr,
      host: str,
      scheme: oneOf(str, ["HTTP", "HTTPS"]),
      httpHeaders: arr(obj("ProbeHTTPHeader")),
    },
  },
  ProbeHTTPHeader: { fields: { name: str, value: str } },
  TCPSocketAction: { fields: { port: intOrStr, host: str } },
  GRPCAction: { fields: { port: int, service: str } },
  SleepAction: { fields: { seconds: int } },
  Lifecycle: {
    fields: { postStart: obj("LifecycleHandler"), preStop: obj("LifecycleHandler"), stopSignal: str },
  },
  LifecycleHandler: {
    fields: {
      exec: obj("ExecAction"),
      httpGet: obj("HTTPGetAction"),
      tcpSocket: obj("TCPSocketAction"),
      sleep: obj("SleepAction"),
    },
  },
  SecurityContext: {
    fields: {
      capabilities: obj("Capabilities"),
      privileged: bool,
      seLinuxOptions: obj("SELinuxOptions"),
      windowsOptions: obj("WindowsSecurityContextOptions"),
      runAsUser: int,
      runAsGroup: int,
      runAsNonRoot: bool,
      readOnlyRootFilesystem: bool,
      allowPrivilegeEscalation: bool,
      procMount: oneOf(str, ["Default", "Unmasked"]),
      seccompProfile: obj("SeccompProfile"),
      appArmorProfile: obj("AppArmorProfile"),
    },
  },
  Capabilities: { fields: { add: strList, drop: strList } },
  SELinuxOptions: { fields: { user: str, role: str, type: str, level: str } },
  WindowsSecurityContextOptions: {
    fields: { gmsaCredentialSpecName: str, gmsaCredentialSpec: str, runAsUserName: str, hostProcess: bool },
  },
  SeccompProfile: { fields: seccomp },
  AppArmorProfile: { fields: seccomp },

  // pods (types/k8s_pod.ts)
  Volume: {
    fields: {
      name: str,
      emptyDir: obj("EmptyDirVolumeSource"),
      hostPath: obj("HostPathVolumeSource"),
      secret: k8s(obj("SecretVolumeSource")),
      configMap: k8s(obj("ConfigMapVolumeSource")),
      persistentVolumeClaim: obj("PersistentVolumeClaimVolumeSource"),
      projected: k8s(obj("ProjectedVolumeSource")),
      downwardAPI: k8s(obj("DownwardAPIVolumeSource")),
      nfs: k8s(obj("NFSVolumeSource")),
      csi: k8s(obj("CSIVolumeSource")),
      ephemeral: k8s(obj("EphemeralVolumeSource")),
      image: k8s(json),
      awsElasticBlockStore: k8s(json),
      azureDisk: k8s(json),
      azureFile: k8s(json),
      cephfs: k8s(json),
      cinder: k8s(json),
      fc: k8s(json),
      flexVolume: k8s(json),
      flocker: k8s(json),
      gcePersistentDisk: k8s(json),
      gitRepo: k8s(json),
      glusterfs: k8s(json),
      iscsi: k8s(json),
      photonPersistentDisk: k8s(json),
      portworxVolume: k8s(json),
      quobyte: k8s(json),
      rbd: k8s(json),
      scaleIO: k8s(json),
      storageos: k8s(json),
      vsphereVolume: k8s(json),
    },
  },
  EmptyDirVolumeSource: { fields: { medium: str, sizeLimit: qty } },
  HostPathVolumeSource: {
    fields: {
      path: str,
      type: oneOf(str, [
        "",
        "DirectoryOrCreate",
        "Directory",
        "FileOrCreate",
        "File",
        "Socket",
        "CharDevice",
        "BlockDevice",
      ]),
    },
  },
  SecretVolumeSource: {
    fields: { secretName: str, items: arr(obj("KeyToPath")), defaultMode: int, optional: bool },
  },
  ConfigMapVolumeSource: { fields: { ...projectionFields, defaultMode: int } },
  KeyToPath: { fields: { key: str, path: str, mode: int } },
  PersistentVolumeClaimVolumeSource: { fields: { claimName: str, readOnly: bool } },
  ProjectedVolumeSource: { fields: { sources: arr(obj("VolumeProjection")), defaultMode: int } },
  VolumeProjection: {
    fields: {
      secret: obj("SecretProjection"),
      configMap: obj("ConfigMapProjection"),
      downwardAPI: obj("DownwardAPIProjection"),
      serviceAccountToken: obj("ServiceAccountTokenProjection"),
      clusterTrustBundle: json,
      podCertificate: json,
    },
  },
  SecretProjection: { fields: projectionFields },
  ConfigMapProjection: { fields: projectionFields },
  DownwardAPIProjection: { fields: { items: arr(obj("DownwardAPIVolumeFile")) } },
  ServiceAccountTokenProjection: { fields: { audience: str, expirationSeconds: int, path: str } },
  DownwardAPIVolumeSource: { fields: { items: arr(obj("DownwardAPIVolumeFile")), defaultMode: int } },
  DownwardAPIVolumeFile: {
    fields: {
      path: str,
      fieldRef: obj("ObjectFieldSelector"),
      resourceFieldRef: obj("ResourceFieldSelector"),
      mode: int,
    },
  },
  NFSVolumeSource: { fields: { server: str, path: str, readOnly: bool } },
  CSIVolumeSource: {
    fields: {
      driver: str,
      readOnly: bool,
      fsType: str,
      volumeAttributes: strMap,
      nodePublishSecretRef: obj("LocalObjectReference"),
    },
  },
  EphemeralVolumeSource: { fields: { volumeClaimTemplate: obj("PersistentVolumeClaimTemplate") } },
  PersistentVolumeClaimTemplate: {
    fields: { metadata: obj("ObjectMeta"), spec: obj("PersistentVolumeClaimSpec") },
  },
  PersistentVolumeClaim: {
    fields: {
      apiVersion: str,
      kind: str,
      metadata: obj("ObjectMeta"),
      spec: obj("PersistentVolumeClaimSpec"),
      status: json,
    },
  },
  PersistentVolumeClaimSpec: {
    fields: {
      accessModes: strList,
      selector: obj("LabelSelector"),
      resources: obj("VolumeResourceRequirements"),
      volumeName: str,
      storageClassName: str,
      volumeMode: oneOf(str, ["Block", "Filesystem"]),
      dataSource: obj("TypedLocalObjectReference"),
      dataSourceRef: obj("TypedObjectReference"),
      volumeAttributesClassName: str,
    },
  },
  VolumeResourceRequirements: { fields: { limits: quantities, requests: quantities } },
  PodSecurityContext: {
    fields: {
      seLinuxOptions: obj("SELinuxOptions"),
      windowsOptions: obj("WindowsSecurityContextOptions"),
      runAsUser: int,
      runAsGroup: int,
      runAsNonRoot: bool,
      supplementalGroups: arr(int),
      supplementalGroupsPolicy: oneOf(str, ["Merge", "Strict"]),
      fsGroup: int,
      sysctls: arr(obj("Sysctl")),
      fsGroupChangePolicy: oneOf(str, ["OnRootMismatch", "Always"]),
      seccompProfile: obj("SeccompProfile"),
      appArmorProfile: obj("AppArmorProfile"),
      seLinuxChangePolicy: str,
    },
  },
  Sysctl: { fields: { name: str, value: str } },
  Affinity: {
    fields: {
      nodeAffinity: obj("NodeAffinity"),
      podAffinity: obj("PodAffinity"),
      podAntiAffinity: obj("PodAntiAffinity"),
    },
  },
  NodeAffinity: {
    fields: {
      requiredDuringSchedulingIgnoredDuringExecution: obj("NodeSelector"),
      preferredDuringSchedulingIgnoredDuringExecution: arr(obj("PreferredSchedulingTerm")),
    },
  },
  NodeSelector: { fields: { nodeSelectorTerms: arr(obj("NodeSelectorTerm")) } },
  NodeSelectorTerm: {
    fields: {
      matchExpressions: arr(obj("NodeSelectorRequirement")),
      matchFields: arr(obj("NodeSelectorRequirement")),
    },
  },
  NodeSelectorRequirement: {
    fields: {
      key: str,
      operator: oneOf(str, ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
      values: strList,
    },
  },
  PreferredSchedulingTerm: { fields: { weight: int, preference: obj("NodeSelectorTerm") } },
  PodAffinity: { fields: podAffinity },
  PodAntiAffinity: { fields: podAffinity },
  PodAffinityTerm: {
    fields: {
      labelSelector: obj("LabelSelector"),
      namespaces: strList,
      topologyKey: str,
      namespaceSelector: obj("LabelSelector"),
      matchLabelKeys: strList,
      mismatchLabelKeys: strList,
    },
  },
  WeightedPodAffinityTerm: { fields: { weight: int, podAffinityTerm: obj("PodAffinityTerm") } },
  Toleration: {
    fields: {
      key: str,
      operator: oneOf(str, ["Exists", "Equal"]),
      value: str,
      effect: oneOf(str, ["NoSchedule", "PreferNoSchedule", "NoExecute"]),
      tolerationSeconds: int,
    },
  },
  PodDNSConfig: {
    fields: { nameservers: strList, searches: strList, options: arr(obj("PodDNSConfigOption")) },
  },
  PodDNSConfigOption: { fields: { name: str, value: str } },
  HostAlias: { fields: { ip: str, hostnames: strList } },
  PodDisruptionBudgetSpec: {
    fields: {
      minAvailable: intOrStr,
      selector: obj("LabelSelector"),
      maxUnavailable: intOrStr,
      unhealthyPodEvictionPolicy: oneOf(str, ["IfHealthyBudget", "AlwaysAllow"]),
    },
  },
} as const satisfies Record<string, ObjectSpec>;
