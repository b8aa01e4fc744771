/**
 * Bearer-token authentication of the API: every request carries `Authorization: Bearer <token>`
 * (or, for browsers' EventSource and the UI, an `authorization` cookie holding the same), unless
 * the server runs with `--auth-mode=none`, which is allowed only on a loopback address.
 *
 * In `client` mode (Argo's, for `skiff controller`) the token is the caller's own Kubernetes
 * token: the cluster says whose it is, and whether they may do what the request does.
 */
import { forbiddenMessage, type RequestAttributes, requestAttributes } from "./access.ts";
import { Code, ServiceError } from "./service.ts";

/** Who a Kubernetes token belongs to (a TokenReview's user). */
export interface Caller {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** What the cluster says of callers (the Kubernetes host implements it; web never talks to a cluster). */
export interface CallerCheck {
  /** The token's user; undefined when the cluster does not accept the token. */
  review(token: string): Promise<Caller | undefined>;
  /** Undefined when `caller` may do `request`, else why not (the cluster's reason, possibly empty). */
  deny(caller: Caller, request: RequestAttributes): Promise<string | undefined>;
}

/** How the server authenticates requests. */
export type AuthConfig =
  | { mode: "token"; token: string }
  | { mode: "none" }
  | { mode: "client"; check: CallerCheck };

/**
 * Undefined when the request may proceed, else the error to answer with: Unauthenticated (401)
 * for a missing or refused token, PermissionDenied (403) when the caller may not do it.
 */
export async function admit(req: Request, auth: AuthConfig): Promise<ServiceError | undefined> {
  if (auth.mode !== "client") return authenticate(req, auth);
  const token = presentedToken(req);
  if (token === undefined || token === "") {
    return new ServiceError(
      Code.Unauthenticated,
      "token not valid: no bearer token; send 'Authorization: Bearer <your Kubernetes token>' " +
        "(e.g. kubectl create token <service account>)",
    );
  }
  let caller: Caller | undefined;
  try {
    caller = await auth.check.review(token);
  } catch (e) {
    return new ServiceError(
      Code.Unavailable,
      `could not check the token with the cluster (TokenReview): ${e instanceof Error ? e.message : e}`,
    );
  }
  if (!caller) {
    return new ServiceError(Code.Unauthenticated, "token not valid: the cluster does not accept it");
  }
  const request = requestAttributes(req.method, new URL(req.url).pathname);
  if (!request) return undefined;
  let reason: string | undefined;
  try {
    reason = await auth.check.deny(caller, request);
  } catch (e) {
    return new ServiceError(
      Code.Unavailable,
      `could not check access with the cluster (SubjectAccessReview): ${e instanceof Error ? e.message : e}`,
    );
  }
  if (reason === undefined) return undefined;
  return new ServiceError(Code.PermissionDenied, forbiddenMessage(caller.username, request, reason));
}

/** The token a request presents (header first, then cookie), without the `Bearer ` prefix. */
export function presentedToken(req: Request): string | undefined {
  const header = req.headers.get("authorization");
  if (header) return stripBearer(header);
  const cookie = req.headers.get("cookie") ?? "";
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== "authorization") continue;
    try {
      return stripBearer(decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function stripBearer(value: string): string {
  const v = value.trim();
  return /^bearer\s+/i.test(v) ? v.replace(/^bearer\s+/i, "").trim() : v;
}

/** Undefined when the request may proceed, else the Unauthenticated error to answer with. */
export function authenticate(
  req: Request,
  auth: { mode: "token"; token: string } | { mode: "none" },
): ServiceError | undefined {
  if (auth.mode === "none") return undefined;
  const token = presentedToken(req);
  if (token === undefined || token === "") {
    return new ServiceError(
      Code.Unauthenticated,
      "token not valid: no bearer token; send 'Authorization: Bearer <token>' (skiff server printed the token " +
        "at first start and keeps it in <data dir>/token)",
    );
  }
  if (!sameText(token, auth.token)) {
    return new ServiceError(
      Code.Unauthenticated,
      "token not valid: the bearer token does not match this server's",
    );
  }
  return undefined;
}

/** Compares in time independent of where the texts differ. */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** A new random token (256 bits, URL-safe). */
export function generateToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Reads the token from `path`; when the file does not exist and `create` is set, writes a new one
 * there (mode 0600). Returns the token and whether it was just created.
 */
export async function loadToken(path: string, create: boolean): Promise<{ token: string; created: boolean }> {
  try {
    const token = (await Deno.readTextFile(path)).trim();
    if (token === "") throw new Error(`the token file ${path} is empty; put a token in it or delete it`);
    return { token, created: false };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) || !create) throw e;
  }
  const token = generateToken();
  await Deno.writeTextFile(path, token + "\n", { mode: 0o600, createNew: true });
  return { token, created: true };
}

/** Is `host` a loopback address (127.0.0.0/8, ::1, localhost)? */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}
