import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Path of the CLI entry, resolved from the repo root (tests run with cwd = repo root). */
export const VIGIL_BIN = resolve('bin/vigil.js');

export function tempDir(prefix = 'vigil-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface RunningVigil {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts `vigil serve` as a real child process and waits for its "listening" log line. */
export async function startVigilProcess(args: string[], timeoutMs = 15_000): Promise<RunningVigil> {
  const child = spawn(process.execPath, [VIGIL_BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stdout!.resume();
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil did not start within ${timeoutMs} ms:\n${err}`)), timeoutMs);
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = /"url":"(http:\/\/[^"]+)"/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil exited with ${code} before listening:\n${err}`));
    });
  });
  return { child, url, stderr: () => err };
}

export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}
