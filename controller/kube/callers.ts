/**
 * Argo's `client` auth mode on Kubernetes: a caller's bearer token is checked with a TokenReview,
 * and each request with a SubjectAccessReview for the caller's user and groups, so a user gets
 * through skiff exactly what their own RBAC lets them do. Answers are kept for a short while, as
 * API servers cache webhook token reviews, so that a UI's bursts of requests are not each a round
 * trip.
 */
import type { RequestAttributes } from "../../web/access.ts";
import type { Caller, CallerCheck } from "../../web/auth.ts";
import type { KubeClient } from "./client.ts";

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

interface AccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** Checks callers against the cluster `client` talks to (it needs create on both reviews). */
export class KubeCallerCheck implements CallerCheck {
  #tokens = new Map<string, { at: number; caller: Caller | undefined }>();
  #access = new Map<string, { at: number; reason: string | undefined }>();

  constructor(
    private readonly client: KubeClient,
    private readonly opts: { ttlMs?: number; now?: () => number; maxEntries?: number } = {},
  ) {}

  async review(token: string): Promise<Caller | undefined> {
    const hit = this.#fresh(this.#tokens, token);
    if (hit) return hit.caller;
    const r = await this.client.request<{ status?: TokenReviewStatus }>(
      "POST",
      "/apis/authentication.k8s.io/v1/tokenreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
    );
    const s = r.status ?? {};
    const caller: Caller | undefined = s.authenticated === true && s.user?.username
      ? {
        username: s.user.username,
        ...(s.user.uid ? { uid: s.user.uid } : {}),
        groups: s.user.groups ?? [],
        ...(s.user.extra ? { extra: s.user.extra } : {}),
      }
      : undefined;
    this.#remember(this.#tokens, token, { caller });
    return caller;
  }

  async deny(caller: Caller, request: RequestAttributes): Promise<string | undefined> {
    const key = JSON.stringify([caller.username, caller.groups ?? [], request]);
    const hit = this.#fresh(this.#access, key);
    if (hit) return hit.reason;
    const r = await this.client.request<{ status?: AccessReviewStatus }>(
      "POST",
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user: caller.username,
          ...(caller.uid ? { uid: caller.uid } : {}),
          groups: caller.groups ?? [],
          ...(caller.extra ? { extra: caller.extra } : {}),
          resourceAttributes: {
            group: "argoproj.io",
            resource: request.resource,
            verb: request.verb,
            ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
            ...(request.name !== undefined ? { name: request.name } : {}),
          },
        },
      },
    );
    const s = r.status ?? {};
    const reason = s.allowed === true ? undefined : s.reason ?? s.evaluationError ?? "";
    this.#remember(this.#access, key, { reason });
    return reason;
  }

  #fresh<T extends { at: number }>(cache: Map<string, T>, key: string): T | undefined {
    const hit = cache.get(key);
    if (hit && this.#now() - hit.at < (this.opts.ttlMs ?? 10_000)) return hit;
    if (hit) cache.delete(key);
    return undefined;
  }

  #remember<T>(cache: Map<string, T & { at: number }>, key: string, value: T): void {
    if (cache.size >= (this.opts.maxEntries ?? 1000)) cache.delete(cache.keys().next().value!);
    cache.set(key, { ...value, at: this.#now() });
  }

  #now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
