/**
 * The UI's embedded assets: the committed web/ui/generated/assets.ts is what web/ui/build.ts
 * makes from web/ui/client today (a stale one fails here), and the server serves the page at
 * every UI path and the bundles at /assets/*, with no token, cache headers and a strict CSP.
 */
import assert from "node:assert/strict";
import { buildAssets, GENERATED, moduleSource } from "../../web/ui/build.ts";
import { ASSETS } from "../../web/ui/generated/assets.ts";
import { withServer } from "../web/helpers.ts";

Deno.test("generated/assets.ts matches a fresh build of web/ui/client", async () => {
  const committed = await Deno.readTextFile(GENERATED);
  const fresh = await moduleSource(await buildAssets());
  assert.ok(
    fresh === committed,
    "web/ui/generated/assets.ts is stale: run `deno run -A web/ui/build.ts` and commit it",
  );
});

Deno.test("the bundles are there and small: app.js loads no editor or layout code", () => {
  assert.deepEqual(Object.keys(ASSETS).sort(), ["app.css", "app.js", "editor.js", "layout.js"]);
  const kib = (name: string) => ASSETS[name]!.body.length / 1024;
  assert.ok(kib("app.js") < 120, `app.js is ${kib("app.js").toFixed(0)} KiB`);
  assert.ok(kib("layout.js") < 120, `layout.js is ${kib("layout.js").toFixed(0)} KiB`);
  assert.ok(kib("editor.js") < 700, `editor.js is ${kib("editor.js").toFixed(0)} KiB`);
  assert.ok(!ASSETS["app.js"]!.body.includes("cm-editor"), "CodeMirror stays in editor.js");
  assert.ok(!ASSETS["app.js"]!.body.includes("Graph does not have node"), "dagre stays in layout.js");
  assert.ok(ASSETS["layout.js"]!.body.includes("Graph does not have node"), "dagre is in layout.js");
});

Deno.test("the page is served at / and every UI path without a token; assets with hashes and caching", async () => {
  await withServer(async (s) => {
    for (
      const path of ["/", "/workflows/default", "/workflows/default/x?node=y", "/submit", "/cron-workflows"]
    ) {
      const res = await fetch(s.url + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/, "no inline or remote scripts");
      const html = await res.text();
      assert.match(html, new RegExp(`/assets/app.js\\?v=${ASSETS["app.js"]!.hash}`));
      assert.match(html, new RegExp(`editor.js=${ASSETS["editor.js"]!.hash}`));
      assert.doesNotMatch(html, /https?:\/\//, "nothing from elsewhere");
    }

    const js = await fetch(`${s.url}/assets/app.js?v=${ASSETS["app.js"]!.hash}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /text\/javascript/);
    assert.match(js.headers.get("cache-control") ?? "", /immutable/);
    const etag = js.headers.get("etag")!;
    assert.equal(await js.text(), ASSETS["app.js"]!.body);

    const unversioned = await fetch(`${s.url}/assets/app.css`);
    assert.equal(unversioned.headers.get("cache-control"), "no-cache");
    await unversioned.body?.cancel();
    const again = await fetch(`${s.url}/assets/app.js`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    await again.body?.cancel();

    const missing = await fetch(`${s.url}/assets/nope.js`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();

    // The API still wants the token; the UI's cookie is one way to send it.
    const api = await fetch(`${s.url}/api/v1/info`);
    assert.equal(api.status, 401);
    await api.body?.cancel();
    const withCookie = await fetch(`${s.url}/api/v1/info`, {
      headers: { cookie: `authorization=${encodeURIComponent(`Bearer ${s.token}`)}` },
    });
    assert.equal(withCookie.status, 200);
    await withCookie.body?.cancel();
  });
});
