# Shared by start.sh, stop.sh and kubectl.sh (sourced, not run).
# shellcheck shell=bash
# shellcheck disable=SC2034 # the ports and names are used by start.sh

CACHE="${SKIFF_CLUSTER_CACHE:-/var/cache/skiff-cluster}"
STATE="${SKIFF_CLUSTER_STATE:-$CACHE/run}"
PKI="$STATE/pki"
LOGS="$STATE/logs"
PORT="${SKIFF_CLUSTER_PORT:-6443}"
ETCD_PORT="${SKIFF_CLUSTER_ETCD_PORT:-12379}"
ETCD_PEER_PORT=$((ETCD_PORT + 1))
CM_PORT="${SKIFF_CLUSTER_CM_PORT:-10257}"
SCHED_PORT="${SKIFF_CLUSTER_SCHEDULER_PORT:-10259}"
KUBELET_PORT="${SKIFF_CLUSTER_KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT="${SKIFF_CLUSTER_KUBELET_HEALTHZ_PORT:-10248}"
NODE_NAME="${SKIFF_CLUSTER_NODE_NAME:-localhost}" # resolves to 127.0.0.1, where kubelet listens
POD_CIDR="${SKIFF_CLUSTER_POD_CIDR:-10.244.0.0/24}"
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
# images made here (no registry is reachable); pods use them with the default pull policy
PAUSE_IMAGE="registry.k8s.io/pause:3.10-skiff"
BUSYBOX_IMAGE="docker.io/library/busybox:1.35-skiff"

in_list() { # in_list X A B C: is X one of A B C
  local x="$1"; shift
  local y
  for y in "$@"; do [ "$x" = "$y" ] && return 0; done
  return 1
}

secs_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# alive PID: the process exists and is not a zombie (this machine's PID 1 reaps orphans only every
# second or so, and a stopped component is an orphan: start.sh has exited)
alive() {
  local st
  st="$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$st" ] && [ "${st:1:1}" != Z ]
}

# A component runs when its pid file names a live process whose executable is the recorded one.
running() {
  local name="$1" pid exe
  pid="$(cat "$STATE/$name.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && alive "$pid" || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  [ "$exe" = "$(cat "$STATE/$name.exe" 2>/dev/null)" ]
}

# start_comp NAME CMD ARGS...: keeps NAME when it runs with the same command line, else (re)starts it
# in its own session, logging to $LOGS/NAME.log.
start_comp() {
  local name="$1"; shift
  local cmdline exe
  exe="$(readlink -f "$(command -v "$1")")"
  cmdline="$(printf '%q ' "$exe" "${@:2}")"
  if running "$name"; then
    [ "$(cat "$STATE/$name.args" 2>/dev/null)" = "$cmdline" ] && return 0
    echo "start.sh: restarting $name (arguments changed)" >&2
    stop_comp "$name"
  fi
  mkdir -p "$LOGS"
  # keep one older log when it has grown past 50 MB
  if [ "$(stat -c %s "$LOGS/$name.log" 2>/dev/null || echo 0)" -gt 52428800 ]; then
    mv "$LOGS/$name.log" "$LOGS/$name.log.old"
  fi
  echo "=== $(date -u +%FT%TZ) start $cmdline" >>"$LOGS/$name.log"
  # without job control a background job is not a group leader, so setsid execs in place: $! is it.
  # fds 8 and 9 are the lock files of start.sh and build.sh: not inherited, or the lock would stay held
  setsid "$exe" "${@:2}" >>"$LOGS/$name.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$STATE/$name.pid"
  echo "$exe" >"$STATE/$name.exe"
  echo "$cmdline" >"$STATE/$name.args"
}

stop_comp() {
  local name="$1" pid
  if running "$name"; then
    pid="$(cat "$STATE/$name.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
      alive "$pid" || break
      sleep 0.05
    done
    if alive "$pid"; then
      echo "stop: $name ($pid) did not stop in 10 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$STATE/$name.pid" "$STATE/$name.args" "$STATE/$name.exe"
}

# wait_for DESCRIPTION SECONDS CMD...: polls CMD (quietly) every 0.2 s.
wait_for() {
  local desc="$1" timeout="$2"; shift 2
  local t0; t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if [ $(($(date +%s) - t0)) -ge "$timeout" ]; then
      echo "start.sh: $desc not ready after ${timeout}s; last log lines:" >&2
      local f
      for f in "$LOGS"/*.log; do
        echo "--- $f" >&2
        tail -n 15 "$f" >&2
      done
      return 1
    fi
    sleep 0.2
  done
}

apiserver_ready() {
  curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$PORT/readyz" >/dev/null
}

kctl() { "$BIN/kubectl" --kubeconfig "$STATE/kubeconfig" "$@"; }

# --- certificates -----------------------------------------------------------------------------------
# One CA signs everything (EC P-256 keys: fast to make). Made once; stop.sh --clean removes them.
_cert() { # _cert NAME SUBJECT EXT-LINES
  local name="$1" subj="$2" ext="$3"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  printf '%b\n' "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

make_pki() {
  [ -f "$PKI/done" ] && return 0
  rm -rf "$PKI"
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=skiff-test-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/ca.crt" 2>/dev/null
  local server="basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth"
  local client="basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth"
  _cert apiserver "/CN=kube-apiserver" \
    "$server\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  _cert admin "/O=system:masters/CN=skiff-admin" "$client"
  _cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client"
  _cert controller-manager "/CN=system:kube-controller-manager" "$client"
  _cert scheduler "/CN=system:kube-scheduler" "$client"
  _cert node "/O=system:nodes/CN=system:node:$NODE_NAME" "$client"
  _cert kubelet "/CN=$NODE_NAME" "$server\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:$NODE_NAME"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null
  openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  local token; token="$(openssl rand -hex 24)"
  echo "$token" >"$PKI/admin.token"
  echo "$token,skiff-admin-token,skiff-admin-token,\"system:masters\"" >"$PKI/tokens.csv"
  rm -f "$PKI/ca.srl"
  touch "$PKI/done"
}

_b64() { base64 -w0 <"$1"; }

_kubeconfig() { # _kubeconfig FILE CERT-NAME
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
    server: https://127.0.0.1:$PORT
    certificate-authority-data: $(_b64 "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(_b64 "$PKI/$2.crt")
    client-key-data: $(_b64 "$PKI/$2.key")
contexts:
- name: skiff
  context: {cluster: skiff, user: $2}
current-context: skiff
EOF
  chmod 600 "$1.tmp"
  mv "$1.tmp" "$1"
}

write_kubeconfigs() {
  _kubeconfig "$STATE/kubeconfig" admin
  _kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager
  _kubeconfig "$STATE/scheduler.kubeconfig" scheduler
  _kubeconfig "$STATE/kubelet.kubeconfig" node
}

# --- node (containerd + kubelet) ---------------------------------------------------------------------
CTR=(ctr --address "$CONTAINERD_SOCK" --namespace k8s.io)

ensure_node_packages() {
  local need=()
  command -v containerd >/dev/null || need+=(containerd)
  command -v runc >/dev/null || need+=(runc)
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static) # static /bin/busybox for the image
  [ "${#need[@]}" -eq 0 ] && return 0
  echo "start.sh: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
}

setup_node() {
  ensure_node_packages
  mkdir -p "$STATE/containerd" "$STATE/cni/net.d" "$STATE/kubelet/root" "$CACHE/containerd"
  # Its own containerd (socket, state; root with the images is kept in the cache): a containerd or
  # podman of the machine is not touched. restrict_oom_score_adj: no CAP_SYS_RESOURCE here, so the
  # -997 of Guaranteed pods could not be set.
  cat >"$STATE/containerd/config.toml" <<EOT
version = 2
root = "$CACHE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
    max_conf_num = 1
EOT
  # Pods get addresses on a bridge of their own (skiff0, $POD_CIDR), no masquerading, no iptables.
  cat >"$STATE/cni/net.d/10-skiff.conflist" <<EOT
{
  "cniVersion": "1.0.0",
  "name": "skiff",
  "plugins": [
    {
      "type": "bridge", "bridge": "skiff0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"
      }
    }
  ]
}
EOT
  # cgroup v1 (failCgroupV1: false, else kubelet >= 1.35 refuses to start), cgroupfs driver (no
  # systemd), serving on 127.0.0.1 only; the apiserver reaches it as Hostname "$NODE_NAME".
  cat >"$STATE/kubelet/config.yaml" <<EOT
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: 127.0.0.1
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
oomScoreAdj: 0
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
EOT
}

# _image_tar OUT NAME ROOTFS ENTRYPOINT-JSON: a docker-archive tarball of one layer (ctr imports it).
_image_tar() {
  local out="$1" name="$2" rootfs="$3" entry="$4" w
  w="$(mktemp -d)"
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$rootfs" -cf "$w/layer.tar" .
  local lsha; lsha="$(sha256sum "$w/layer.tar" | cut -d' ' -f1)"
  mkdir -p "$w/$lsha"
  mv "$w/layer.tar" "$w/$lsha/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"skiff tests/cluster/lib.sh"}]}' \
    "$entry" "$lsha" >"$w/config.json"
  local csha; csha="$(sha256sum "$w/config.json" | cut -d' ' -f1)"
  mv "$w/config.json" "$w/$csha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$csha" "$name" "$lsha" >"$w/manifest.json"
  tar -C "$w" -cf "$out" manifest.json "$csha.json" "$lsha/layer.tar"
  rm -rf "$w"
}

# Unmounts what is mounted below $1 (kubelet's bind mount of its root, pods' volumes), deepest first.
umount_under() {
  local m
  awk -v s="$1/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

has_image() { "${CTR[@]}" images ls -q 2>/dev/null | grep -qxF "$1"; }

import_images() {
  local r
  if ! has_image "$PAUSE_IMAGE"; then
    r="$(mktemp -d)"
    install -m 0755 "$BIN/pause" "$r/pause"
    _image_tar "$r.tar" "$PAUSE_IMAGE" "$r" '["/pause"]'
    "${CTR[@]}" images import "$r.tar" >/dev/null
    rm -rf "$r" "$r.tar"
  fi
  # busybox from Debian's busybox-static, for tests and for checking the node
  if ! has_image "$BUSYBOX_IMAGE"; then
    r="$(mktemp -d)"
    mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
    chmod 1777 "$r/tmp"
    cp /bin/busybox "$r/bin/busybox"
    local a
    for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$r/etc/group"
    _image_tar "$r.tar" "$BUSYBOX_IMAGE" "$r" '["/bin/sh"]'
    "${CTR[@]}" images import "$r.tar" >/dev/null
    rm -rf "$r" "$r.tar"
  fi
}

node_ready() {
  [ "$(kctl get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

# Tears the node down: pods are deleted through the API first (while kubelet and the API are up),
# so that kubelet stops them through CRI and CNI frees their addresses and network namespaces;
# whatever is left is killed with ctr. Then kubelet and containerd stop.
stop_node() {
  if running kubelet && running containerd && apiserver_ready 2>/dev/null && [ -x "${BIN:-}/kubectl" ]; then
    # only the pods bound to this node: deleting every pod (thousands a test left unbound, or bound
    # to a fake node) one by one took minutes
    kctl delete pods --all-namespaces --field-selector "spec.nodeName=$NODE_NAME" --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
    for _ in $(seq 1 150); do
      [ -z "$("${CTR[@]}" tasks ls -q 2>/dev/null)" ] && break
      sleep 0.2
    done
    # and for kubelet to unmount their volumes
    for _ in $(seq 1 50); do
      [ -z "$(ls -A "$STATE/kubelet/root/pods" 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  stop_comp kubelet
  umount_under "$STATE/kubelet"
  # without its kubelet the Node would stay (Ready for 40 s, then NotReady) and get pods scheduled
  if [ -x "${BIN:-}/kubectl" ] && apiserver_ready 2>/dev/null; then
    kctl delete node "$NODE_NAME" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  cleanup_node_leftovers
  stop_comp containerd
  # shims of our containerd that outlived it
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "-address $CONTAINERD_SOCK " && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  true
}

# Kills and removes the containers of our containerd (if it runs) and the network namespaces of their
# sandboxes.
cleanup_node_leftovers() {
  running containerd || return 0
  local id ns
  for id in $("${CTR[@]}" containers ls -q 2>/dev/null); do
    ns="$("${CTR[@]}" containers info "$id" 2>/dev/null | grep -o '"/var/run/netns/cni-[^"]*"' | tr -d '"' | head -n1)" || true
    "${CTR[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      "${CTR[@]}" tasks delete "$id" >/dev/null 2>&1 && break
      "${CTR[@]}" tasks ls -q 2>/dev/null | grep -qxF "$id" || break
      sleep 0.2
    done
    "${CTR[@]}" containers delete "$id" >/dev/null 2>&1 || true
    if [ -n "$ns" ] && [ -e "$ns" ]; then
      umount "$ns" 2>/dev/null || true
      rm -f "$ns"
    fi
  done
}
