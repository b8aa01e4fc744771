/**
 * `skiff completion bash|zsh|fish`: the scripts the real CLI prints, loaded into the real shells,
 * complete what a user types: `skiff sub<TAB>`, `skiff submit --wa<TAB>`, `skiff template <TAB>`.
 */
import assert from "node:assert/strict";
import { skiff } from "./skiff.ts";

/** Runs `shell args...` and returns its stdout (fails the test on a non-zero exit). */
async function sh(shell: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(shell, { args, stdout: "piped", stderr: "piped" }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${shell} failed: ${stderr}`);
  return new TextDecoder().decode(out.stdout);
}

async function has(shell: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", { args: ["-c", `command -v ${shell}`], stdout: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

async function script(shell: string): Promise<string> {
  const run = await skiff("completion", shell);
  assert.equal(run.code, 0, run.stderr);
  const path = await Deno.makeTempFile({ suffix: `.${shell}` });
  await Deno.writeTextFile(path, run.stdout);
  return path;
}

/** What `skiff template <TAB>` offers: its subcommands and their aliases, sorted. */
const TEMPLATE_SUBCOMMANDS = ["create", "delete", "get", "help", "lint", "list", "ls", "rm"];

const sorted = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean).sort();

Deno.test("skiff completion bash: COMPREPLY of the generated script in a real bash", async (t) => {
  const file = await script("bash");
  /** What bash offers for `words`, the last being the word under the cursor. */
  const complete = async (...words: string[]) => {
    const code = `source ${file}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_skiff_completions
printf '%s\\n' "\${COMPREPLY[@]}"`;
    return sorted(await sh("bash", ["-c", code]));
  };
  try {
    await t.step("skiff sub<TAB> -> submit", async () => {
      assert.deepEqual(await complete("skiff", "sub"), ["submit"]);
    });
    await t.step("skiff submit --wa<TAB> -> --wait --watch", async () => {
      assert.deepEqual(await complete("skiff", "submit", "--wa"), ["--wait", "--watch"]);
    });
    await t.step("skiff template <TAB> -> its subcommands and aliases", async () => {
      assert.deepEqual(await complete("skiff", "template", ""), TEMPLATE_SUBCOMMANDS);
    });
    await t.step("skiff cron su<TAB> -> suspend (a subcommand, not the top-level one)", async () => {
      assert.deepEqual(await complete("skiff", "cron", "su"), ["suspend"]);
    });
    await t.step("flags of a subcommand, after a flag that takes a value", async () => {
      // `-n ns` takes "ns" as its value: "template" after it is still the command path.
      assert.deepEqual(await complete("skiff", "template", "-n", "template", "create", "--out"), [
        "--output",
      ]);
    });
    await t.step(
      "the value of a flag and a file argument fall back to the shell's file completion",
      async () => {
        assert.deepEqual(await complete("skiff", "submit", "-o", ""), []);
        assert.deepEqual(await complete("skiff", "submit", ""), []);
      },
    );
    await t.step("an alias walks like its command: skiff ls --st<TAB> -> --status", async () => {
      assert.deepEqual(await complete("skiff", "ls", "--st"), ["--status"]);
    });
    await t.step(
      "a new flag is in the script without anyone listing it: every flag of --help is",
      async () => {
        const help = await skiff("submit", "--help");
        const flags = [...help.stdout.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
        assert.ok(flags.length > 5, help.stdout);
        const offered = await complete("skiff", "submit", "--");
        for (const f of flags) assert.ok(offered.includes(f), `${f} missing from ${offered.join(" ")}`);
      },
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("skiff completion zsh: the script parses and completes in zsh", async (t) => {
  if (!(await has("zsh"))) {
    console.log("zsh is not installed: skipping the zsh completion check (apt-get install zsh)");
    return;
  }
  const file = await script("zsh");
  // compsys' _describe/_files/compdef are replaced by stubs printing what the script offers.
  const complete = async (...words: string[]) => {
    const code = `compdef() { : }
_describe() { print -l -- "\${(@P)\${@[-1]}}" }
_files() { print -- '<files>' }
source ${file}
words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}
_skiff`;
    return sorted(await sh("zsh", ["-c", code])).map((l) => l.replace(/:.*$/, ""));
  };
  try {
    await t.step("zsh -n accepts the script", async () => {
      await sh("zsh", ["-n", file]);
    });
    await t.step("skiff <TAB> offers the top-level commands", async () => {
      const offered = await complete("skiff", "");
      for (const c of ["submit", "list", "template", "cron", "completion"]) assert.ok(offered.includes(c), c);
    });
    await t.step("skiff submit --<TAB> offers --wait and --watch", async () => {
      const offered = await complete("skiff", "submit", "--");
      assert.ok(offered.includes("--wait") && offered.includes("--watch"), offered.join(" "));
    });
    await t.step("skiff template <TAB> offers its subcommands", async () => {
      const offered = await complete("skiff", "template", "");
      assert.deepEqual(offered, TEMPLATE_SUBCOMMANDS);
    });
    await t.step("skiff submit <TAB> completes files", async () => {
      assert.deepEqual(await complete("skiff", "submit", ""), ["<files>"]);
    });
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("skiff completion fish: the script parses and fish completes with it", async (t) => {
  if (!(await has("fish"))) {
    console.log("fish is not installed: skipping the fish completion check (apt-get install fish)");
    return;
  }
  const file = await script("fish");
  const complete = async (line: string) =>
    sorted(await sh("fish", ["-c", `source ${file}; complete -C '${line}'`])).map((l) => l.split("\t")[0]!);
  try {
    await t.step("fish -n accepts the script", async () => {
      await sh("fish", ["-n", file]);
    });
    await t.step("skiff sub<TAB> -> submit", async () => {
      assert.deepEqual(await complete("skiff sub"), ["submit"]);
    });
    await t.step("skiff submit --wa<TAB> -> --wait --watch", async () => {
      assert.deepEqual(await complete("skiff submit --wa"), ["--wait", "--watch"]);
    });
    await t.step("skiff template <TAB> -> its subcommands", async () => {
      assert.deepEqual(await complete("skiff template "), TEMPLATE_SUBCOMMANDS);
    });
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("skiff completion with an unknown shell says which shells there are", async () => {
  const run = await skiff("completion", "tcsh");
  assert.equal(run.code, 2);
  assert.equal(run.stderr.trim(), `skiff: unknown shell "tcsh"; use one of: bash, zsh, fish`);
});
