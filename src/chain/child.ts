/**
 * Child processes tied to patchgate's life: the child dies with its parent however the parent dies —
 * stop(), a normal exit, Ctrl-C, and also SIGKILL or the OOM killer, which no exit hook ever sees.
 *
 * - `pdeathsig` (Linux with util-linux `setpriv`): the kernel sends the child SIGKILL when patchgate dies
 *   (PR_SET_PDEATHSIG, set before exec). A one-line `sh` step between setpriv and the program checks that
 *   its parent is still patchgate, closing the window where patchgate dies before the signal is armed.
 * - `pipe` (other POSIX systems): a watcher shell holds the read end of a pipe whose only write end is
 *   patchgate's; when patchgate dies the kernel closes it, the watcher reads EOF and kills the child.
 * - `hooks` (elsewhere, e.g. Windows): exit and signal hooks only — a SIGKILLed patchgate leaves it running.
 *
 * In every mode the child is patchgate's direct child (its pid is the program's pid), and the exit and
 * signal hooks kill it on the way out. PR_SET_PDEATHSIG fires when the spawning *thread* ends: spawn from
 * the main thread (a child spawned in a worker thread dies with that worker).
 */
import { type ChildProcess, type StdioNull, type StdioPipe, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type TieMethod = 'pdeathsig' | 'pipe' | 'hooks';

export interface TiedChild {
  child: ChildProcess;
  method: TieMethod;
}

export interface SpawnTiedOptions {
  /** stdout and stderr of the child (stdin is patchgate's: never the child's). */
  stdout?: StdioNull | StdioPipe;
  stderr?: StdioNull | StdioPipe;
  /** Force a method (tests and the bench); default: the strongest this system supports. */
  method?: TieMethod;
}

/** `[ parent is still patchgate ] && exec program args…` — run by sh after setpriv armed the signal. */
const CHECK_PARENT = '[ "$PPID" = "$1" ] || exit 125; shift; exec "$@"';
/**
 * Keep the pipe from patchgate on fd 3 in a background watcher, then become the program. The watcher
 * reads until EOF (patchgate closed the pipe or died) and kills `$$` — the program, since exec keeps the pid.
 */
const WATCH_PIPE =
  'exec 3<&0; (while read -r _ <&3; do :; done; kill -KILL $$) </dev/null >/dev/null 2>&1 & exec "$@" </dev/null 3<&-';

const running = new Set<ChildProcess>();
let hooked = false;
let detected: TieMethod | undefined;

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

let setpriv: string | undefined;

/** The strongest method available here, probed once (setpriv may exist yet be refused by a sandbox). */
export function tieMethod(): TieMethod {
  if (detected) return detected;
  detected = 'hooks';
  if (process.platform !== 'win32' && existsSync('/bin/sh')) {
    detected = 'pipe';
    if (process.platform === 'linux') {
      const bin = onPath('setpriv');
      const probe = bin
        ? spawnSync(bin, ['--pdeathsig', 'KILL', '--', '/bin/sh', '-c', 'exit 0'], { stdio: 'ignore' })
        : undefined;
      if (bin && probe?.status === 0) {
        setpriv = bin;
        detected = 'pdeathsig';
      }
    }
  }
  return detected;
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // First in line, so it sees every other listener: a long-running command that stops gracefully on the signal
    // (serve, worker) keeps its exit; with none, the signal is raised again and the process ends as it would have.
    const handler = () => {
      killAll();
      process.off(signal, handler);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.prependListener(signal, handler);
  }
}

/** Spawn `command args…` so that it cannot outlive this process (see the methods above). */
export function spawnTied(command: string, args: string[], opts: SpawnTiedOptions = {}): TiedChild {
  const method = opts.method ?? tieMethod();
  const out = opts.stdout ?? 'ignore';
  const err = opts.stderr ?? 'ignore';
  let child: ChildProcess;
  if (method === 'pdeathsig') {
    const bin = setpriv ?? onPath('setpriv') ?? 'setpriv';
    child = spawn(
      bin,
      [
        '--pdeathsig',
        'KILL',
        '--',
        '/bin/sh',
        '-c',
        CHECK_PARENT,
        'patchgate-child',
        String(process.pid),
        command,
        ...args,
      ],
      { stdio: ['ignore', out, err] },
    );
  } else if (method === 'pipe') {
    child = spawn('/bin/sh', ['-c', WATCH_PIPE, 'patchgate-child', command, ...args], {
      stdio: ['pipe', out, err],
    });
    // Nothing is ever written: the pipe only exists to close when this process dies.
    child.stdin?.on('error', () => {});
  } else {
    child = spawn(command, args, { stdio: ['ignore', out, err] });
  }
  running.add(child);
  hookExit();
  child.once('exit', () => {
    running.delete(child);
    // Let the watcher go (it kills a pid that has just exited: nothing).
    child.stdin?.destroy();
  });
  return { child, method };
}

/** End a tied child: TERM (the pipe watcher is released too), KILL after `graceMs`. */
export async function stopTied(tied: TiedChild, graceMs = 2000): Promise<void> {
  const { child } = tied;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}
