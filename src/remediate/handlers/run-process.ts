import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { OUTPUT_LIMIT } from './output.js';

/**
 * Runs one program without a shell, in its own process group, capturing a
 * bounded amount of stdout and stderr. When `signal` fires the whole group
 * gets SIGTERM, then SIGKILL after `killGraceMs`; once the program itself has
 * exited, whatever is left of its group is killed at once (an aborted action
 * leaves nothing behind). A program that exits on its own keeps its children:
 * a restart script may start a daemon.
 */
export interface ProcessRun {
  program: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  signal: AbortSignal;
  killGraceMs: number;
}

export type ProcessOutcome =
  | { started: true; code: number | null; signal: NodeJS.Signals | null; aborted: boolean; stdout: Captured; stderr: Captured }
  | { started: false; error: string };

export interface Captured {
  text: string;
  droppedBytes: number;
}

const CAPTURE_LIMIT = OUTPUT_LIMIT * 2;
/** How long to wait for the output pipes after the program exits (a background child may hold them open). */
const PIPE_DRAIN_MS = 500;

export function runProcess(r: ProcessRun): Promise<ProcessOutcome> {
  return new Promise((settle) => {
    if (r.signal.aborted) return settle({ started: true, code: null, signal: null, aborted: true, stdout: empty(), stderr: empty() });
    const child = spawn(r.program, r.args, {
      cwd: r.cwd,
      env: r.env,
      shell: false,
      detached: true, // its own process group, so the group can be killed
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout = capture(child.stdout!);
    const stderr = capture(child.stderr!);
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let done = false;

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the group is gone already
      }
    };
    const finish = () => {
      if (done || !exit) return;
      done = true;
      if (aborted) killGroup('SIGKILL');
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      r.signal.removeEventListener('abort', onAbort);
      child.stdout!.destroy();
      child.stderr!.destroy();
      settle({ started: true, ...exit, aborted, stdout: stdout.result(), stderr: stderr.result() });
    };
    const onAbort = () => {
      if (exit) return;
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), r.killGraceMs);
      killTimer.unref();
    };

    child.on('error', (e) => {
      if (done) return;
      done = true;
      r.signal.removeEventListener('abort', onAbort);
      settle({ started: false, error: e.message });
    });
    child.on('exit', (code, sig) => {
      exit = { code, signal: sig };
      if (aborted) return finish();
      drainTimer = setTimeout(finish, PIPE_DRAIN_MS);
    });
    child.on('close', finish);
    r.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function capture(stream: Readable): { result(): Captured } {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  stream.on('data', (chunk: Buffer) => {
    const room = CAPTURE_LIMIT - kept;
    if (room <= 0) {
      dropped += chunk.length;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(part);
    kept += part.length;
    dropped += chunk.length - part.length;
  });
  stream.on('error', () => undefined);
  return { result: () => ({ text: Buffer.concat(chunks).toString('utf8'), droppedBytes: dropped }) };
}

function empty(): Captured {
  return { text: '', droppedBytes: 0 };
}
