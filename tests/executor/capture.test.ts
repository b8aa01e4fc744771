/** Output capture rules, on their own: the tail kept for `result` and Argo's newline trimming. */
import assert from "node:assert/strict";
import { collectOutputs, localFiles, TailBuffer, trimOneNewline } from "../../executor/mod.ts";

Deno.test("trimOneNewline removes one newline only", () => {
  assert.equal(trimOneNewline("a\n"), "a");
  assert.equal(trimOneNewline("a\n\n"), "a\n");
  assert.equal(trimOneNewline("a\r\n"), "a\r"); // Argo trims "\n" alone
  assert.equal(trimOneNewline("a"), "a");
  assert.equal(trimOneNewline(""), "");
});

Deno.test("TailBuffer keeps the last bytes across chunks and never starts mid-character", () => {
  const enc = new TextEncoder();
  const t = new TailBuffer(5);
  t.push(enc.encode("abc"));
  t.push(enc.encode("def"));
  assert.equal(t.text(), "bcdef");
  t.push(enc.encode("ghijklmnop"));
  assert.equal(t.text(), "lmnop");
  const u = new TailBuffer(4);
  u.push(enc.encode("xé€")); // 1 + 2 + 3 bytes: the last 4 start inside "é"
  assert.equal(u.text(), "€");
  assert.equal(u.total, 6);
});

Deno.test("collectOutputs reports every missing output at once", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/p.txt`, "v\n");
  const got = await collectOutputs(
    {
      parameters: [{ name: "p", path: "/p.txt" }, { name: "q", path: "/q.txt" }],
      artifacts: [{ name: "a", path: "/a" }],
    },
    localFiles(dir),
    `${dir}/art`,
  );
  assert.deepEqual(got.parameters, { p: "v" });
  assert.equal(
    got.error,
    'output parameter "q": open /q.txt: no such file or directory; output artifact "a": /a: no such file or directory',
  );
});

Deno.test("collectOutputs trims a default as a file's value: one \\n, and a \\r stays", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/crlf.txt`, "v\r\n");
  const got = await collectOutputs(
    {
      parameters: [{ name: "crlf", path: "/crlf.txt" }, {
        name: "gone",
        path: "/gone.txt",
        default: "none\n",
      }],
      artifacts: [],
    },
    localFiles(dir),
    `${dir}/art`,
  );
  assert.deepEqual(got.parameters, { crlf: "v\r", gone: "none" });
  assert.equal(got.error, undefined);
});
