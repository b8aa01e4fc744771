/**
 * The web UI: one HTML page (served at `/` and at every UI path, so links and reloads work) and
 * the embedded bundles at `/assets/*` (web/ui/generated/assets.ts, built by web/ui/build.ts).
 * Neither needs the token: the page asks for it when the API answers 401, and keeps it in the
 * `authorization` cookie the API accepts.
 */
import type { Hono } from "hono";
import { ASSETS } from "../ui/generated/assets.ts";

/** Paths the UI's router knows; each serves the page. */
export const UI_PATHS: string[] = [
  "/",
  "/workflows",
  "/workflows/:namespace",
  "/workflows/:namespace/:name",
  "/submit",
  "/workflow-templates",
  "/workflow-templates/:namespace/:name",
  "/cluster-workflow-templates",
  "/cluster-workflow-templates/:name",
  "/cron-workflows",
  "/cron-workflows/:namespace/:name",
];

/**
 * No script, style, connection or frame from anywhere but this server. Styles may be inline:
 * the editor (CodeMirror) writes its own style elements.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

/** The page: a shell that loads the app bundle, with asset URLs carrying their hashes. */
export function indexHtml(): string {
  const v = (name: string) => `/assets/${name}?v=${ASSETS[name]?.hash ?? ""}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>skiff</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${v("app.css")}">
<meta name="skiff-assets" content="${
    ["editor.js", "layout.js"].map((n) => `${n}=${ASSETS[n]?.hash ?? ""}`).join(",")
  }">
</head>
<body>
<div id="app"><noscript>skiff's web UI needs JavaScript. The API is at /api/v1 (see /openapi.json).</noscript></div>
<script type="module" src="${v("app.js")}"></script>
</body>
</html>
`;
}

/** Registers the page and the assets on `app` (before authentication: they hold no data). */
export function registerUi(app: Hono): void {
  const html = indexHtml();
  const page = () =>
    new Response(html, {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
      },
    });
  for (const path of UI_PATHS) app.get(path, page);
  app.get("/assets/:file", (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return c.text(`no asset ${c.req.param("file")}`, 404);
    const etag = `"${asset.hash}"`;
    const versioned = c.req.query("v") === asset.hash;
    const headers = {
      "content-type": asset.type,
      etag,
      "cache-control": versioned ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
    };
    if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(asset.body, { headers });
  });
}
