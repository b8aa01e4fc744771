/**
 * Starting the process runtime's per-step supervisors without a perl start per step: one
 * long-lived perl (the "spawner", a child of the host) has the supervisor's code compiled
 * and forks a supervisor for each step the host asks for. A fork of a small perl costs well under
 * a millisecond; a perl start and script parse per step cost ~3.5 ms, and Deno's spawn another
 * ~0.7 ms of the host's CPU.
 *
 * The forked supervisor is what a per-step perl was: it makes its own session first thing, names
 * its step in its command line (`$0` is `<dir>/step.json`, how a restarted host finds it, see
 * process_pids.ts), lets go of the host's pipes (stdin, stdout and stderr on /dev/null), takes the
 * step's environment (the host's, with the step's on top, as Deno.Command's `env` merged it) and
 * runs the supervisor (process_supervisor.ts). Its files, its claim on the step and what a
 * restarted host does with them are unchanged.
 *
 * It also makes the runtime's spare node directories (spare_dirs.ts), each in a child of its own,
 * so that neither the host's thread nor the spawner's loop waits for the disk.
 *
 * Protocol, host to spawner: a request is a count and that many strings, each ended by a NUL
 * (which no argv or environment string can hold), the first saying what to do. `run`: the node
 * dir, the working dir, the start time, the file to execute, the number of command arguments, the
 * arguments, then `NAME=value` for each variable. `spare`: the directory to make, the name to give
 * it once complete, then what to make in it (SPARE_ENTRIES). Spawner to host, one line each:
 * `P <pid>` per `run` in order (`E <error>` when fork failed), and `X <pid> <code>` when a child it
 * forked has ended (its exit code, 128+N for signal N); `spare` is not answered.
 *
 * The spawner exits when its stdin ends (the host closed it, exited or died), leaving the
 * supervisors running: they outlive the host, as before. If it dies while steps run, their exits
 * are not reported: the host sees `undefined` and watches those pids itself; the next step starts a
 * new spawner.
 */
import { NEW_SESSION, SUPERVISE_SUB } from "./process_supervisor.ts";

/**
 * The spawner. It has a session of its own, so that a Ctrl-C meant for the host does not end it
 * (the end of its stdin does). It reads requests and reaps its children in one loop: the (empty)
 * SIGCHLD handler cuts its select short, and while children run a 0.1 s timeout covers a SIGCHLD
 * that came just before select began (with none, it sleeps until a request comes). It writes with
 * syswrite only (nothing buffered for a forked child to flush into the host's pipe), looping over
 * EINTR (4 on Linux and macOS).
 */
export const SPAWNER_SCRIPT = SUPERVISE_SUB + String.raw`
${NEW_SESSION};
$0 = 'skiff-spawner';
sub reply { my $t = shift; while (length $t) { my $w = syswrite(STDOUT, $t); if (!defined $w) { return if $! != 4; next } substr($t, 0, $w, '') } }
my $in = '';
sub request {
  my $i = index($in, "\0"); return undef if $i < 0;
  my ($n, $p, @f) = (substr($in, 0, $i), $i + 1);
  for (1 .. $n) { my $j = index($in, "\0", $p); return undef if $j < 0; push @f, substr($in, $p, $j - $p); $p = $j + 1 }
  substr($in, 0, $p, '');
  return \@f;
}
sub spare {
  my ($b, $r, @e) = @_;
  my $pid = fork();
  return if !defined $pid || $pid;
  mkdir($b) or quit(1);
  for (@e) { if (m{/$}) { mkdir("$b/$_") or quit(1) } else { open(my $f, '>', "$b/$_") or quit(1) } }
  rename($b, $r);
  quit(0);
}
sub start {
  my ($d, $wd, $at, $prog, $na, @rest) = @_;
  my $pid = fork();
  if (!defined $pid) { reply("E fork: $!\n"); return }
  if ($pid) { reply("P $pid\n"); return }
  ${NEW_SESSION};
  $0 = "$d/step.json";
  open(STDIN, '<', '/dev/null'); open(STDOUT, '>', '/dev/null'); open(STDERR, '>', '/dev/null');
  my @cmd = splice(@rest, 0, $na);
  %ENV = map { /^([^=]*)=(.*)\z/s } @rest;
  chdir($d);
  supervise("$d/step.json", $wd, $at, $prog, @cmd);
  quit(0);
}
$SIG{CHLD} = sub { };
my $wait;
while (1) {
  my $rin = ''; vec($rin, 0, 1) = 1;
  if (select(my $rout = $rin, undef, undef, $wait) > 0) {
    my $r = sysread(STDIN, $in, 65536, length $in);
    if (!defined $r) { last if $! != 4 } elsif ($r == 0) { last }
    while (defined(my $f = request())) { my $k = shift @$f; $k eq 'spare' ? spare(@$f) : start(@$f) }
  }
  my $pid;
  while (($pid = waitpid(-1, 1)) > 0) { my $c = $?; reply("X $pid " . ($c & 127 ? 128 + ($c & 127) : $c >> 8) . "\n") }
  $wait = $pid == 0 ? 0.1 : undef;
}
`;

/** What starting a step's supervisor needs. */
export interface SpawnRequest {
  /** The node's directory (the supervisor's files, and its cwd). */
  dir: string;
  /** Where the command runs. */
  workingDir: string;
  startedAt: string;
  command: string[];
  /** The file to execute (default: `command[0]`, looked up on the PATH). */
  program?: string;
  /** The complete environment of the command. */
  env: Record<string, string>;
}

/** A supervisor that was started. */
export interface Spawned {
  pid: number;
  /** Its exit code; undefined when its spawner ended first (then nobody will report it). */
  exit: Promise<number | undefined>;
}

/** The spawner ended before it answered: the request may or may not have been carried out. */
class SpawnerGone extends Error {}

/** Starts supervisors through a spawner, started at the first request and again if it dies. */
export class SupervisorSpawner {
  #current: Spawner | undefined;

  constructor(readonly perl: string) {}

  /**
   * Starts a supervisor. A spawner that ends before it answers is replaced and asked once more:
   * if the first one forked after all, the two supervisors race for the step's claim and the loser
   * runs nothing (it exits CLAIMED_EXIT_CODE, as after a host restart).
   */
  async spawn(req: SpawnRequest): Promise<Spawned> {
    for (let attempt = 1;; attempt++) {
      if (!this.#current || this.#current.ended) this.#current = new Spawner(this.perl);
      try {
        return await this.#current.spawn(req);
      } catch (e) {
        if (!(e instanceof SpawnerGone) || attempt === 2) throw e;
      }
    }
  }

  /** Asks for a spare node directory to be made (see spare_dirs.ts), starting a spawner if none runs. */
  makeSpare(building: string, ready: string, entries: readonly string[]): void {
    if (!this.#current || this.#current.ended) this.#current = new Spawner(this.perl);
    this.#current.makeSpare(building, ready, entries);
  }

  /** The spawner's pid, for tests (undefined before the first step or after it ended). */
  get pid(): number | undefined {
    return this.#current?.ended === false ? this.#current.pid : undefined;
  }

  /** Lets the spawner go (it exits; the supervisors it started run on). */
  async close(): Promise<void> {
    const s = this.#current;
    this.#current = undefined;
    await s?.close();
  }
}

/** One spawner process. */
class Spawner {
  readonly pid: number;
  ended = false;
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  /** Requests sent and not answered yet, in order. */
  #asked: { resolve: (s: Spawned) => void; reject: (e: Error) => void }[] = [];
  /** Supervisors forked and not reported ended yet. */
  #running = new Map<number, (code: number | undefined) => void>();
  #reffed = true;
  #done: Promise<void>;

  constructor(perl: string) {
    this.#child = new Deno.Command(perl, {
      args: ["-e", SPAWNER_SCRIPT],
      cwd: "/",
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.pid = this.#child.pid;
    this.#stdin = this.#child.stdin.getWriter();
    this.#done = this.#read().catch(() => {}).then(() => this.#end());
  }

  spawn(req: SpawnRequest): Promise<Spawned> {
    if (this.ended) return Promise.reject(new SpawnerGone("the supervisor spawner has ended"));
    const fields = [
      "run",
      req.dir,
      req.workingDir,
      req.startedAt,
      req.program ?? req.command[0]!,
      String(req.command.length),
      ...req.command,
      ...Object.entries(req.env).map(([k, v]) => `${k}=${v}`),
    ];
    const bad = fields.find((f) => f.includes("\0"));
    if (bad !== undefined) return Promise.reject(new Error(`a NUL character in ${JSON.stringify(bad)}`));
    const answer = new Promise<Spawned>((resolve, reject) => this.#asked.push({ resolve, reject }));
    this.#keepHostAlive();
    this.#send(fields);
    return answer;
  }

  /** Asks for a spare node directory (see SpareMaker); nothing when the spawner is gone. */
  makeSpare(building: string, ready: string, entries: readonly string[]): void {
    if (this.ended) return;
    this.#send(["spare", building, ready, ...entries]);
    this.#keepHostAlive(); // nothing to wait for: a spawner asked only for spares keeps no host alive
  }

  #send(fields: string[]): void {
    // Not awaited: a spawner that is gone ends its answers in #end.
    this.#stdin.write(encoder.encode(`${fields.length}\0${fields.join("\0")}\0`)).catch(() => {});
  }

  async close(): Promise<void> {
    this.#child.ref(); // until it has exited: the host may have nothing else to wait for
    this.#reffed = true;
    await this.#stdin.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slow = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 2000)));
    if (await Promise.race([this.#done.then(() => false), slow])) {
      try {
        this.#child.kill("SIGKILL"); // only the spawner: its supervisors are in sessions of their own
      } catch {
        // Gone meanwhile.
      }
    }
    clearTimeout(timer);
    await this.#done;
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of this.#child.stdout) {
      const lines = (pending + decoder.decode(chunk, { stream: true })).split("\n");
      pending = lines.pop()!;
      for (const line of lines) this.#answer(line);
    }
  }

  #answer(line: string): void {
    const [kind, a, b] = line.split(" ");
    if (kind === "X") {
      const pid = Number(a);
      this.#running.get(pid)?.(Number(b));
      this.#running.delete(pid);
    } else {
      const asked = this.#asked.shift();
      if (kind === "P") {
        const pid = Number(a);
        const exit = new Promise<number | undefined>((r) => this.#running.set(pid, r));
        asked?.resolve({ pid, exit });
      } else asked?.reject(new Error(line.slice(2)));
    }
    this.#keepHostAlive();
  }

  /** The spawner's output has ended: it is gone, and answers nothing more. */
  async #end(): Promise<void> {
    this.ended = true;
    for (const a of this.#asked.splice(0)) a.reject(new SpawnerGone("the supervisor spawner ended"));
    for (const report of this.#running.values()) report(undefined);
    this.#running.clear();
    await this.#stdin.close().catch(() => {});
    await this.#child.status;
  }

  /** The host stays alive for the spawner's answers while it waits for some, and not otherwise. */
  #keepHostAlive(): void {
    const waiting = this.#asked.length + this.#running.size > 0;
    if (waiting === this.#reffed) return;
    this.#reffed = waiting;
    if (waiting) this.#child.ref();
    else this.#child.unref();
  }
}

const encoder = new TextEncoder();
