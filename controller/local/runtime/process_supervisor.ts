/**
 * The per-step supervisor of the process runtime: Perl code (no modules: POSIX or Fcntl would cost
 * ~15 ms to load) run in a process of its own per step, in a session of its own, so that it
 * outlives a host that dies and a Ctrl-C meant for the host does not reach it. The host does not
 * start a perl per step: one long-lived perl with this code compiled (process_spawner.ts) forks a
 * supervisor per step, which makes its session first thing. (Deno's detached spawn would fork the
 * whole host, ~10 ms a step; a perl per step costs ~3.5 ms of start and parse.) Everything the
 * Deno executor did after the command's exit (result, output parameters, artifacts) the host does
 * in-process (process_collect.ts), and stopping (SIGTERM, SIGKILL after the grace period, the
 * deadline) is the host's too (process_stop.ts). Perl rather than sh: one process must read both
 * output streams, so that the log keeps their order (two `tee`s race each other).
 *
 * What the supervisor leaves in the node's directory, in order (files are few on purpose: creating
 * one costs up to a millisecond or more on a busy disk, appending a line to an open one a fraction):
 * - `executor.pid`: its claim on the step, created only if absent (O_EXCL; or, in a directory made
 *   ahead by spare_dirs.ts, the empty `claim` linked as `executor.pid`, which fails just the same if
 *   that exists, and costs no new inode), holding its pid as the first line: a second supervisor of
 *   the same step (a host that crashed mid-start) runs nothing and exits CLAIMED_EXIT_CODE. Two
 *   lines are appended to it later (see process_pids.ts): `child <pid> <startedAt>` once the
 *   command started (`pid` is the command, which leads its own process group, so a stop reaches
 *   everything it started), and `exit <code>` (128+N for signal N) once the command ended and its
 *   output was drained. A supervisor killed before that leaves no `exit` line, so a host that finds
 *   none knows the step was lost, not finished.
 * - `stdout`: stdout alone, read for `result`, and `main.log`: stdout and stderr appended line by
 *   line as they come (a partial line is held until its newline, as the executor did). main.log is
 *   made at the first output on stderr (with the stdout lines before it): until then it would hold
 *   just what `stdout` holds, so a step that writes only to stdout makes one file fewer, and its log
 *   is its `stdout`.
 *
 * When the command exits, what it left running in its process group is killed (as when a
 * container's PID 1 exits); something that left the group and holds the output open is no longer
 * read 2 s after the command's exit (the executor's drain time).
 */
import { startFailure } from "../../../executor/mod.ts";
import { lookPath } from "./common.ts";

/**
 * The number of Linux's setsid(2) system call on this machine: Perl has no setsid without its POSIX
 * module, which takes ~15 ms to load. Where unknown, the supervisor makes a process group of its own
 * (a Ctrl-C does not reach it either, but it keeps the terminal as its controlling one).
 */
const SETSID_SYSCALL: number | undefined = Deno.build.os === "linux"
  ? ({ x86_64: 112, aarch64: 157 } as Record<string, number>)[Deno.build.arch]
  : undefined;

/**
 * O_WRONLY|O_CREAT|O_EXCL, as a number (Perl's Fcntl module would name them, at a few ms a start):
 * the values differ between Linux and the BSDs (macOS).
 */
const EXCLUSIVE_CREATE = Deno.build.os === "linux" ? 0o301 : 0x1 | 0x200 | 0x800;

/**
 * The number of Linux's exit_group(2) system call on this machine. A supervisor forked from the
 * spawner that ends with Perl's `exit` first tears down the spawner's whole interpreter it was
 * forked with (~0.5 ms a step, all of it before the spawner can report the step ended); it writes
 * only with syswrite, so nothing is buffered that the system call would lose.
 */
const EXIT_GROUP_SYSCALL: number | undefined = Deno.build.os === "linux"
  ? ({ x86_64: 231, aarch64: 94 } as Record<string, number>)[Deno.build.arch]
  : undefined;

/** Makes the calling process leader of a session of its own (or, where that is unknown, of a group). */
export const NEW_SESSION = SETSID_SYSCALL === undefined
  ? "setpgrp(0, 0)"
  : `syscall(${SETSID_SYSCALL}) >= 0 or setpgrp(0, 0)`;

/**
 * The supervisor as a Perl sub: `supervise("<dir>/step.json", <working dir>, <start time>,
 * <file to execute>, <command...>)`, called in the process that is to be the step's supervisor,
 * which exits after it (it exits itself when the claim fails: 75 when another supervisor has the
 * step). Open flags are the system's ({@link EXCLUSIVE_CREATE}; WNOHANG is 1 on both). The
 * command's exit is seen by polling waitpid between reads: the (empty) SIGCHLD handler only cuts a
 * select short, and the 0.25 s timeout covers a SIGCHLD that came just before select began.
 * `quit(<code>)` ends a forked process at once (see EXIT_GROUP_SYSCALL).
 */
export const SUPERVISE_SUB = String.raw`
sub quit { ${EXIT_GROUP_SYSCALL === undefined ? "" : `syscall(${EXIT_GROUP_SYSCALL}, $_[0]);`} exit $_[0] }
sub supervise {
my ($s, $wd, $at, $prog, @cmd) = @_;
(my $d = $s) =~ s{/[^/]*$}{};
my $pf;
my $linked = -e "$d/claim";
if ($linked) { link("$d/claim", "$d/executor.pid") && open($pf, '>>', "$d/executor.pid") or exit(-e "$d/executor.pid" ? 75 : 1) }
else { sysopen($pf, "$d/executor.pid", ${EXCLUSIVE_CREATE}, 0644) or exit(-e "$d/executor.pid" ? 75 : 1) }
syswrite($pf, "$$
");
pipe(my $or, my $ow) or die; pipe(my $er, my $ew) or die;
my ($status, $ended);
my $pid;
$SIG{CHLD} = sub { };
$pid = fork() // die "fork: $!";
if ($pid == 0) {
  $SIG{CHLD} = 'DEFAULT';
  close $or; close $er;
  open(STDOUT, '>&', $ow) or die; open(STDERR, '>&', $ew) or die;
  close $ow; close $ew;
  setpgrp(0, 0);
  chdir($wd) or do { print STDERR "cannot enter $wd: $!
"; exit 127 };
  exec { $prog } @cmd;
  print STDERR "exec $cmd[0]: $!
"; exit 127;
}
setpgrp($pid, $pid);
close $ow; close $ew;
syswrite($pf, "child $pid $at
");
unlink("$d/claim") if $linked;
open(my $out, '>', "$d/stdout") or die;
my ($log, $quiet) = (undef, 0);
my $logw = sub {
  my ($fh, $t) = @_;
  if (!$log && $fh == $or) { $quiet += length $t; return }
  if (!$log) {
    open($log, '>>', "$d/main.log") or die;
    open(my $in, '<', "$d/stdout") or die;
    while ($quiet > 0) { my $r = sysread($in, my $head, $quiet < 1048576 ? $quiet : 1048576) or last; syswrite($log, $head); $quiet -= $r }
  }
  syswrite($log, $t);
};
my %part = (fileno($or) => '', fileno($er) => '');
my @open = ($or, $er);
while (@open) {
  if (!defined $status && waitpid($pid, 1) == $pid) { $status = $?; $ended = time; kill('KILL', -$pid) }
  my $rin = ''; vec($rin, fileno($_), 1) = 1 for @open;
  my $wait = defined $ended ? $ended + 2 - time : 0.25;
  last if defined $wait && $wait <= 0;
  my $n = select(my $rout = $rin, undef, undef, $wait);
  next if $n < 0;
  last if $n == 0 && defined $ended;
  for my $fh (@open) {
    next unless vec($rout, fileno($fh), 1);
    my $r = sysread($fh, my $chunk, 65536);
    my $k = fileno($fh);
    if (!$r) { $logw->($fh, $part{$k}) if length $part{$k}; $part{$k} = ''; @open = grep { $_ != $fh } @open; next }
    syswrite($out, $chunk) if $fh == $or;
    $part{$k} .= $chunk;
    my $i = rindex($part{$k}, "
");
    if ($i >= 0) { $logw->($fh, substr($part{$k}, 0, $i + 1)); $part{$k} = substr($part{$k}, $i + 1) }
    elsif (length($part{$k}) >= 65536) { $logw->($fh, $part{$k}); $part{$k} = '' }
  }
}
for my $fh ($or, $er) { $logw->($fh, $part{fileno($fh)}) if length $part{fileno($fh)} }
if (!defined $status) { waitpid($pid, 0); $status = $?; kill('KILL', -$pid) }
syswrite($pf, "exit " . ($status & 127 ? 128 + ($status & 127) : $status >> 8) . "
");
close $pf;
}
`;

/** The programs the supervisor uses, found once on this machine's PATH. */
export interface SupervisorTools {
  perl: string;
}

let tools: SupervisorTools | undefined;

/** Finds perl; throws saying it is needed. */
export function supervisorTools(): SupervisorTools {
  if (tools) return tools;
  const path = Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
  const find = (name: string) => {
    const found = lookPath(name, path, "/");
    if (typeof found !== "string") {
      throw new Error(`the process runtime needs \`${name}\` on this machine's PATH (${path})`);
    }
    return found;
  };
  tools = { perl: find("perl") };
  return tools;
}

/**
 * The file the step's program is executed from, as execvp would find it on the step's PATH from
 * `cwd` (the supervisor executes that file, sparing the command's start a failed exec per PATH
 * entry before it); or the error a step whose program cannot be executed ends with, worded as the
 * executor (and Argo) word it. Checked before the supervisor starts, so that such a step is an
 * Error without an exit code, as when the executor could not start the command.
 */
export function findProgram(
  program: string,
  env: Record<string, string>,
  cwd: string,
): { file: string } | { problem: string } {
  const path = env.PATH ?? Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
  const key = `${path}\0${program}`;
  const known = foundBefore.get(key);
  if (known !== undefined && isExecutable(known)) return { file: known };
  const found = lookPath(program, path, cwd);
  if (found === "missing" || found === "denied") {
    foundBefore.delete(key);
    return { problem: startFailure(program, found) };
  }
  // Only a name searched on a PATH of absolute directories is the same search from every cwd.
  if (!program.includes("/") && path.split(":").every((p) => p.startsWith("/"))) {
    if (foundBefore.size >= 256) foundBefore.clear();
    foundBefore.set(key, found);
  }
  return { file: found };
}

/**
 * Where a program was found on a PATH (key: PATH, NUL, program), so that the next step's check is
 * one stat, not one per PATH entry. Only hits are kept, and a hit is used only while it is still
 * executable: then exec finds it, or one created since earlier on the PATH, and either runs.
 */
const foundBefore = new Map<string, string>();

function isExecutable(file: string): boolean {
  try {
    const info = Deno.statSync(file);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}
