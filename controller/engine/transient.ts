/**
 * Argo's `retryPolicy: OnTransientError`: a Failed or Error attempt is retried when its message is
 * what Argo's util/errors `IsTransientErr` calls transient. Argo passes the node's message as an
 * InternalError, so of its checks only those on the text apply: the network and etcd phrases below,
 * and the controller's TRANSIENT_ERROR_PATTERN (a Go regexp; here the host's, handed to reconcile).
 */

/** The phrases of Argo's isTransientNetworkErr, isTransientEtcdErr and isTransientSqbErr. */
const TRANSIENT_PHRASES = [
  "Connection closed by foreign host",
  "net/http: TLS handshake timeout",
  "i/o timeout",
  "connection timed out",
  "connection reset by peer",
  "http2: client connection lost",
  "http2: server sent GOAWAY and closed the connection",
  "connect: connection refused",
  "invalid connection",
  "etcdserver: leader changed",
  "etcdserver: request timed out",
  "etcdserver: too many requests",
  "upper: no more rows in",
];

/** Is a node `message` transient by Argo's rules (`pattern`: TRANSIENT_ERROR_PATTERN, if set)? */
export function isTransientMessage(message: string, pattern?: string): boolean {
  if (TRANSIENT_PHRASES.some((p) => message.includes(p))) return true;
  if (!pattern) return false;
  try {
    return new RegExp(pattern).test(message);
  } catch {
    return false; // Go's regexp.MatchString: an invalid pattern matches nothing
  }
}
