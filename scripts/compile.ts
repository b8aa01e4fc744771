/**
 * `deno task compile`: builds skiff into one binary with `deno compile`. deno compile needs the
 * `denort` runtime of the same Deno version; it downloads it unless DENORT_BIN points at one. Where
 * the download cannot work (no route to Deno's release server), this stops with what to do instead.
 */
const output = Deno.env.get("SKIFF_BINARY") ?? "dist/skiff";
const denort = Deno.env.get("DENORT_BIN");

if (denort) {
  try {
    await Deno.stat(denort);
  } catch {
    fail(
      `DENORT_BIN is set to "${denort}", but no file is there; point it at a denort binary for Deno ${Deno.version.deno}`,
    );
  }
} else if (!await canReach("https://dl.deno.land/")) {
  fail(
    `deno compile needs the denort runtime for Deno ${Deno.version.deno}, and https://dl.deno.land cannot be reached from here.\n` +
      `Download denort-${Deno.build.target}.zip for v${Deno.version.deno} from https://github.com/denoland/deno/releases on a machine that can, ` +
      `unzip it, and run: DENORT_BIN=/path/to/denort deno task compile\n` +
      `(The full \`deno\` binary is not a substitute: a binary built with it only opens the REPL.)`,
  );
}

const result = await new Deno.Command(Deno.execPath(), {
  args: ["compile", "-A", "--include", "expr-wasm/generated", "--output", output, "main.ts"],
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!result.success) fail("deno compile failed (see above)");
console.log(`built ${output}`);

async function canReach(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function fail(message: string): never {
  console.error(`skiff compile: ${message}`);
  Deno.exit(1);
}
