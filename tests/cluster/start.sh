#!/usr/bin/env bash
# Starts (or reuses) a one-node Kubernetes built from sources by tests/cluster/build.sh, on loopback
# only. Usage:
#   tests/cluster/start.sh [MODE]      MODE (or SKIFF_CLUSTER_MODE), one of:
#     apiserver      etcd + kube-apiserver (default). Pods are stored but stay Pending. The
#                    ServiceAccount admission plugin is off: no controller creates `default` SAs.
#     control-plane  + kube-controller-manager + kube-scheduler (garbage collection, service
#                    accounts, Jobs, ...). Pods stay Pending: no node.
#     node           + containerd + kubelet: pods run (cgroup v1, cgroupfs, Debian containerd/runc/CNI).
# Idempotent: a component already running with the same arguments is kept, so a second call returns
# in 0.5-2 s; a component whose arguments changed (e.g. another MODE) is restarted;
# components not in MODE are stopped. Stop with tests/cluster/stop.sh.
#
# Prints KUBECONFIG's path on its last line and writes $STATE/env (KUBECONFIG, SKIFF_CLUSTER_SERVER,
# SKIFF_CLUSTER_TOKEN: a static admin bearer token, group system:masters). The kubeconfig's user is an
# admin client certificate (O=system:masters).
# Environment: SKIFF_CLUSTER_CACHE (default /var/cache/skiff-cluster: binaries, Go caches, images),
# SKIFF_CLUSTER_STATE (default $SKIFF_CLUSTER_CACHE/run: certs, etcd data, logs, pid files),
# SKIFF_CLUSTER_PORT (6443), SKIFF_CLUSTER_ETCD_PORT (12379; peer port +1),
# SKIFF_CLUSTER_FRESH=1 (wipe etcd data before starting, when it is not running).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

MODE="${1:-${SKIFF_CLUSTER_MODE:-apiserver}}"
case "$MODE" in
  apiserver) comps=(etcd kube-apiserver) ; bins=(apiserver) ;;
  control-plane) comps=(etcd kube-apiserver kube-controller-manager kube-scheduler) ; bins=(apiserver kube-controller-manager kube-scheduler) ;;
  node) comps=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet) ; bins=(all) ;;
  *) echo "start.sh: unknown mode '$MODE' (apiserver, control-plane, node)" >&2; exit 2 ;;
esac

t_start=$(date +%s.%N)
mkdir -p "$STATE/logs"
exec 8>"$STATE/start.lock"
flock -w 900 8 || { echo "start.sh: $STATE/start.lock held for 15 min" >&2; exit 1; }

BIN="$("$HERE/build.sh" "${bins[@]}" | tail -n1)"
# Every step below is idempotent and quick when its work is done (a component running with the same
# arguments is kept, certificates and images are made once), so a second start takes about a second.
make_pki
write_kubeconfigs

# Stop what MODE does not include (the node first, so pods are torn down while the API is up).
in_list kubelet "${comps[@]}" || stop_node
for c in kube-scheduler kube-controller-manager; do
  in_list "$c" "${comps[@]}" || stop_comp "$c"
done

# --- etcd -------------------------------------------------------------------------------------
if [ "${SKIFF_CLUSTER_FRESH:-}" = 1 ] && ! running etcd; then
  rm -rf "$STATE/etcd"
fi
start_comp etcd "$BIN/etcd" \
  --name skiff --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "skiff=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
  --unsafe-no-fsync --log-level warn
wait_for "etcd" 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

# --- kube-apiserver -------------------------------------------------------------------------------
admission=()
[ "$MODE" = apiserver ] && admission=(--disable-admission-plugins=ServiceAccount)
start_comp kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$PORT" \
  --endpoint-reconciler-type none \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 \
  --authorization-mode Node,RBAC --allow-privileged=true \
  --kubelet-preferred-address-types Hostname,InternalIP \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --profiling=false "${admission[@]}"
wait_for "kube-apiserver /readyz" 90 apiserver_ready

# --- controllers ----------------------------------------------------------------------------------
if in_list kube-controller-manager "${comps[@]}"; then
  start_comp kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$CM_PORT" \
    --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range 10.0.0.0/24 --profiling=false
  start_comp kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false --profiling=false
  wait_for "kube-controller-manager /healthz" 60 curl -kfsS "https://127.0.0.1:$CM_PORT/healthz"
  wait_for "kube-scheduler /healthz" 60 curl -kfsS "https://127.0.0.1:$SCHED_PORT/healthz"
fi

# --- node -----------------------------------------------------------------------------------------
if in_list kubelet "${comps[@]}"; then
  setup_node # packages, containerd config, CNI config, kubelet config
  start_comp containerd containerd --config "$STATE/containerd/config.toml"
  wait_for "containerd" 30 ctr --address "$CONTAINERD_SOCK" version
  import_images
  start_comp kubelet "$BIN/kubelet" \
    --config "$STATE/kubelet/config.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
    --root-dir "$STATE/kubelet/root" --hostname-override "$NODE_NAME" \
    --v=1
  wait_for "kubelet /healthz" 60 curl -fsS "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"
  wait_for "node $NODE_NAME Ready" 90 node_ready
fi

echo "$MODE" >"$STATE/mode"
cat >"$STATE/env" <<EOF
KUBECONFIG=$STATE/kubeconfig
SKIFF_CLUSTER_SERVER=https://127.0.0.1:$PORT
SKIFF_CLUSTER_TOKEN=$(cat "$PKI/admin.token")
SKIFF_CLUSTER_CA=$PKI/ca.crt
SKIFF_CLUSTER_BIN=$BIN
EOF
t_end=$(date +%s.%N)
echo "start.sh: cluster ($MODE) ready in $(awk -v a="$t_start" -v b="$t_end" 'BEGIN{printf "%.1f", b-a}')s; logs in $STATE/logs" >&2
echo "$STATE/kubeconfig"
