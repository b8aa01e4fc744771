// The committed expr-wasm/generated/module.ts must be exactly what expr-wasm/build.ts produces
// from expr-wasm/assembly today, so a stale generated file fails CI. (asc output is deterministic:
// it embeds no paths or timestamps; the same sources give the same bytes in any directory.)
import { deepStrictEqual } from "node:assert/strict";
import { compile, moduleSource } from "../../expr-wasm/build.ts";

Deno.test("generated/module.ts matches a fresh build of assembly/", async () => {
  const committed = await Deno.readTextFile(new URL("../../expr-wasm/generated/module.ts", import.meta.url));
  const dir = await Deno.makeTempDir();
  try {
    const fresh = moduleSource(await compile());
    await Deno.writeTextFile(`${dir}/module.ts`, fresh);
    deepStrictEqual(
      await Deno.readTextFile(`${dir}/module.ts`) === committed,
      true,
      "run `deno task build:wasm` and commit expr-wasm/generated/module.ts",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
