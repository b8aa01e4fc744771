/**
 * `skiff completion bash|zsh|fish`: prints a shell completion script, as `argo completion` does.
 * The script is generated from the commander command tree itself (its commands, subcommands such
 * as `template create`, aliases and flags), so it cannot drift from the CLI: a new command or flag
 * is completed as soon as it exists. The scripts are static (no call back into skiff per TAB).
 *
 * @module
 */
import type { Command, Option } from "commander";
import { CliError } from "./errors.ts";

/** The shells `skiff completion` writes scripts for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
/** One of {@link SHELLS}. */
export type Shell = typeof SHELLS[number];

/** One command of the tree, as completion needs it. */
interface Node {
  /** The command path below the program, space-separated ("" for the program, "template create"). */
  path: string;
  /** Subcommands: each name and alias, with the summary shown by zsh and fish. */
  commands: { name: string; path: string; description: string }[];
  /** Every flag (`-o`, `--output`), with whether it takes a value. */
  flags: { flag: string; takesValue: boolean; description: string }[];
  /** Long flag + short flag pairs, for fish. */
  options: { long?: string; short?: string; takesValue: boolean; description: string }[];
}

/** Adds `skiff completion <shell>` to the program. */
export function addCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", `one of: ${SHELLS.join(", ")}`)
    .addHelpText(
      "after",
      `
Install it (then open a new shell):
  bash:  skiff completion bash > ~/.local/share/bash-completion/completions/skiff
  zsh:   skiff completion zsh > "\${fpath[1]}/_skiff"
  fish:  skiff completion fish > ~/.config/fish/completions/skiff.fish
Or for the current shell only:  source <(skiff completion bash)`,
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new CliError(`unknown shell "${shell}"; use one of: ${SHELLS.join(", ")}`);
      }
      let root = program;
      while (root.parent) root = root.parent;
      console.log(completionScript(shell as Shell, root));
    });
}

/** The completion script of `program` for `shell`. */
export function completionScript(shell: Shell, program: Command): string {
  const nodes = collect(program, "");
  const name = program.name();
  switch (shell) {
    case "bash":
      return bashScript(name, nodes);
    case "zsh":
      return zshScript(name, nodes);
    case "fish":
      return fishScript(name, nodes);
  }
}

function collect(cmd: Command, path: string): Node[] {
  const help = cmd.createHelp();
  const subs = help.visibleCommands(cmd);
  const node: Node = { path, commands: [], flags: [], options: [] };
  for (const sub of subs) {
    const subPath = path ? `${path} ${sub.name()}` : sub.name();
    const description = sub.summary() || sub.description().split("\n")[0] || "";
    for (const name of [sub.name(), ...sub.aliases()]) {
      node.commands.push({ name, path: subPath, description });
    }
  }
  for (const opt of help.visibleOptions(cmd)) {
    const takesValue = takesValueOf(opt);
    const description = opt.description.split("\n")[0] ?? "";
    const entry: Node["options"][number] = { takesValue, description };
    if (opt.long) entry.long = opt.long;
    if (opt.short) entry.short = opt.short;
    node.options.push(entry);
    for (const flag of [opt.short, opt.long]) {
      if (flag) node.flags.push({ flag, takesValue, description });
    }
  }
  const out = [node];
  // The implicit `help` command has no tree of its own below it.
  for (const sub of subs) {
    if (sub.name() === "help" && !cmd.commands.includes(sub)) continue;
    out.push(...collect(sub, path ? `${path} ${sub.name()}` : sub.name()));
  }
  return out;
}

/** Does the word after this flag belong to it (`-o json`)? Optional values (`[x]`) do not count. */
function takesValueOf(opt: Option): boolean {
  return opt.required;
}

/** A function name part of a program name. */
function ident(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Single-quoted for sh-like shells. */
function sq(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `case` arms mapping each command path (and alias path) to a word list. */
function caseArms(nodes: Node[], words: (n: Node) => string[]): string {
  return nodes
    .map((n) => ({ n, w: words(n) }))
    .filter(({ w }) => w.length > 0)
    .map(({ n, w }) => `    ${sq(n.path)}) echo ${sq(w.join(" "))} ;;`)
    .join("\n");
}

/** The shell function mapping (path, word) to the subcommand path it names ("" when it names none). */
function subPathArms(nodes: Node[]): string {
  const arms: string[] = [];
  for (const n of nodes) {
    for (const c of n.commands) arms.push(`    ${sq(`${n.path}|${c.name}`)}) echo ${sq(c.path)} ;;`);
  }
  return arms.join("\n");
}

function bashScript(name: string, nodes: Node[]): string {
  const fn = `_${ident(name)}`;
  return `# bash completion for ${name}, generated by \`${name} completion bash\` from its commands and flags.
# Install: ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
#      or: echo 'source <(${name} completion bash)' >> ~/.bashrc

${fn}_subpath() {
  case "$1|$2" in
${subPathArms(nodes)}
    *) echo "" ;;
  esac
}

${fn}_commands() {
  case "$1" in
${caseArms(nodes, (n) => n.commands.map((c) => c.name))}
  esac
}

${fn}_flags() {
  case "$1" in
${caseArms(nodes, (n) => n.flags.map((f) => f.flag))}
  esac
}

${fn}_value_flags() {
  case "$1" in
${caseArms(nodes, (n) => n.flags.filter((f) => f.takesValue).map((f) => f.flag))}
  esac
}

${fn}_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word next i skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --*=*) ;;
      -*) [[ " $(${fn}_value_flags "$path") " == *" $word "* ]] && skip=1 ;;
      *)
        next="$(${fn}_subpath "$path" "$word")"
        [[ -n "$next" ]] && path="$next"
        ;;
    esac
  done
  COMPREPLY=()
  # The value of a flag (a file, a name): the shell's default completion.
  ((skip)) && return 0
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_flags "$path")" -- "$cur"))
    return 0
  fi
  local commands
  commands="$(${fn}_commands "$path")"
  [[ -n "$commands" ]] && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  return 0
}

complete -o bashdefault -o default -F ${fn}_completions ${name}
`;
}

function zshScript(name: string, nodes: Node[]): string {
  const fn = `_${ident(name)}`;
  const described = (items: { name: string; description: string }[]) =>
    items.map((i) => sq(`${i.name.replaceAll(":", "\\:")}:${i.description}`)).join(" ");
  const describeArms = nodes
    .filter((n) => n.commands.length > 0)
    .map((n) => `    ${sq(n.path)}) items=(${described(n.commands)}) ;;`)
    .join("\n");
  const flagArms = nodes
    .filter((n) => n.flags.length > 0)
    .map((n) => `    ${sq(n.path)}) items=(${described(n.flags.map((f) => ({ name: f.flag, ...f })))}) ;;`)
    .join("\n");
  return `#compdef ${name}
# zsh completion for ${name}, generated by \`${name} completion zsh\` from its commands and flags.
# Install: ${name} completion zsh > "\${fpath[1]}/_${name}"   (then: autoload -U compinit && compinit)
#      or: echo 'source <(${name} completion zsh)' >> ~/.zshrc

${fn}_subpath() {
  case "$1|$2" in
${subPathArms(nodes)}
    *) echo "" ;;
  esac
}

${fn}_value_flags() {
  case "$1" in
${caseArms(nodes, (n) => n.flags.filter((f) => f.takesValue).map((f) => f.flag))}
  esac
}

${fn}() {
  local cmdpath="" word next i skip=0
  local -a items
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --*=*) ;;
      -*) [[ " $(${fn}_value_flags "$cmdpath") " == *" $word "* ]] && skip=1 ;;
      *)
        next="$(${fn}_subpath "$cmdpath" "$word")"
        [[ -n "$next" ]] && cmdpath="$next"
        ;;
    esac
  done
  if ((skip)); then _files; return; fi
  if [[ "\${words[CURRENT]}" == -* ]]; then
    case "$cmdpath" in
${flagArms}
    esac
    _describe -t flags 'flag' items
    return
  fi
  case "$cmdpath" in
${describeArms}
    *) _files; return ;;
  esac
  _describe -t commands '${name} command' items
}

if [[ "$funcstack[1]" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

function fishScript(name: string, nodes: Node[]): string {
  const fn = `__${ident(name)}`;
  const lines: string[] = [];
  for (const n of nodes) {
    const at = `${fn}_at ${sq(n.path)}`;
    for (const c of n.commands) {
      lines.push(`complete -c ${name} -f -n ${sq(at)} -a ${sq(c.name)} -d ${sq(c.description)}`);
    }
    for (const o of n.options) {
      const parts = [`complete -c ${name} -n ${sq(at)}`];
      if (o.short) parts.push(`-s ${sq(o.short.replace(/^-/, ""))}`);
      if (o.long) parts.push(`-l ${sq(o.long.replace(/^--/, ""))}`);
      if (o.takesValue) parts.push("-r");
      parts.push(`-d ${sq(o.description)}`);
      lines.push(parts.join(" "));
    }
  }
  const subArms = nodes.flatMap((n) =>
    n.commands.map((c) => `        case ${sq(`${n.path}|${c.name}`)}\n            echo ${sq(c.path)}`)
  ).join("\n");
  const valueArms = nodes
    .map((n) => ({ n, w: n.flags.filter((f) => f.takesValue).map((f) => f.flag) }))
    .filter(({ w }) => w.length > 0)
    .map(({ n, w }) => `        case ${sq(n.path)}\n            echo ${w.map(sq).join(" ")}`)
    .join("\n");
  return `# fish completion for ${name}, generated by \`${name} completion fish\` from its commands and flags.
# Install: ${name} completion fish > ~/.config/fish/completions/${name}.fish

function ${fn}_subpath
    switch "$argv[1]|$argv[2]"
${subArms}
        case '*'
            echo ''
    end
end

function ${fn}_value_flags
    switch "$argv[1]"
${valueArms}
    end
end

# The command path of the words before the cursor ("" for ${name} itself, "template create", ...).
function ${fn}_path
    set -l words (commandline -opc)
    set -l cmdpath ''
    set -l skip 0
    for word in $words[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case '--*=*'
            case '-*'
                if contains -- $word (${fn}_value_flags $cmdpath)
                    set skip 1
                end
            case '*'
                set -l next (${fn}_subpath $cmdpath $word)
                if test -n "$next"
                    set cmdpath $next
                end
        end
    end
    echo $cmdpath
end

function ${fn}_at
    test (${fn}_path) = "$argv[1]"
end

${lines.join("\n")}
`;
}
