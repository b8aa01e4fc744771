/**
 * The HTTP app (Hono): Argo Server's REST API over any {@link WorkflowService}, plus `/metrics`,
 * `/openapi.json` and the web UI (its page at `/` and the UI's paths, its bundles at `/assets/*`).
 *
 * ```ts
 * const app = createApp({ service, auth: { mode: "token", token } });
 * Deno.serve({ port: 2746 }, app.fetch);
 * ```
 */
import { Hono } from "hono";
import { admit, type AuthConfig } from "./auth.ts";
import { errorResponse, toServiceError } from "./errors.ts";
import { ServiceMetrics } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { Body, QueryReader, type Route } from "./routes/route.ts";
import { infoRoutes, templateRoutes } from "./routes/templates.ts";
import { registerUi } from "./routes/ui.ts";
import { workflowRoutes } from "./routes/workflows.ts";
import { Code, ServiceError, type WorkflowService } from "./service.ts";

/** Options of {@link createApp}. */
export interface AppOptions {
  service: WorkflowService;
  auth: AuthConfig;
  /** Called with unexpected errors (those answered with a 5xx), e.g. to log their stack. */
  onInternalError?: (err: unknown, req: Request) => void;
}

/** Every API route of the app, in registration order. */
export function apiRoutes(service: WorkflowService): Route[] {
  return [...workflowRoutes(service), ...templateRoutes(service), ...infoRoutes(service)];
}

/** Builds the app. */
export function createApp(opts: AppOptions): Hono {
  const { service, auth } = opts;
  const app = new Hono();
  const routes = apiRoutes(service);
  const metrics = new ServiceMetrics(service);
  const patterns = routes.map((r) => ({
    method: r.method.toUpperCase(),
    re: new RegExp("^" + r.path.replace(/\{\w+\}/g, "[^/]+") + "/?$"),
  }));

  app.onError((err, c) => {
    const e = toServiceError(err);
    if (e.code === Code.Internal || e.code === Code.Unknown) opts.onInternalError?.(err, c.req.raw);
    return errorResponse(e);
  });
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = patterns.filter((p) => p.re.test(path)).map((p) => p.method);
    if (allowed.length > 0) {
      const res = errorResponse(
        new ServiceError(
          Code.Unimplemented,
          `method ${c.req.method} not allowed on ${path}; use ${allowed.join(", ")}`,
        ),
      );
      return new Response(res.body, {
        status: 405,
        headers: { ...headersOf(res), allow: allowed.join(", ") },
      });
    }
    return errorResponse(new ServiceError(Code.NotFound, `no route ${c.req.method} ${path}`));
  });

  registerUi(app);
  app.use("*", async (c, next) => {
    const refused = await admit(c.req.raw, auth);
    if (refused) return errorResponse(refused);
    await next();
  });

  for (const route of routes) {
    app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
      let body: Promise<Body> | undefined;
      const result = await route.handler({
        params: c.req.param() as Record<string, string>,
        query: new QueryReader(new URL(c.req.url).searchParams),
        body: () => (body ??= Body.read(c.req.raw)),
        raw: c.req.raw,
      });
      return result instanceof Response ? result : c.json(result as object);
    });
  }

  app.get(
    "/metrics",
    async () => new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } }),
  );
  const version = service.version().version;
  app.get("/openapi.json", (c) => c.json(openApiDocument(routes, version)));
  return app;
}

function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}

function headersOf(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers.entries());
}
