/**
 * Bearer-token authentication of the API: every request carries `Authorization: Bearer <token>`
 * (or, for browsers' EventSource and the UI, an `authorization` cookie holding the same), unless
 * the server runs with `--auth-mode=none`, which is allowed only on a loopback address.
 */
import { Code, ServiceError } from "./service.ts";

/** How the server authenticates requests. */
export type AuthConfig = { mode: "token"; token: string } | { mode: "none" };

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
export function authenticate(req: Request, auth: AuthConfig): ServiceError | undefined {
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
