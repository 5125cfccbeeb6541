import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

// The CLI compiled from the current source by the run's globalSetup (test/helpers/build-cli.ts),
// or, where a run has none, the source through tsx.
const BUILT = inject('sgwEntry');
const NODE_ARGS = BUILT ? [BUILT] : ['--import', 'tsx', path.join(PACKAGE_ROOT, 'test', 'helpers', 'sgw-entry.ts')];

/** Runs `sgw …` to completion. */
export function sgw(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', cwd: PACKAGE_ROOT, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface RunningGateway {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `sgw serve` and sends SIGTERM from inside the output callback that first shows
 * "listening on", with no turn of the event loop in between, as a fast supervisor would.
 * Resolves with the exit code and signal.
 */
export function startAndStopAtOnce(env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [...NODE_ARGS, 'serve'], { env: { ...process.env, PORT: '0', ...env }, cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.includes('listening on')) child.kill('SIGTERM');
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

/** Starts `sgw serve` on a free port and waits (30 s unless told) until it prints where it listens. */
export async function startGateway(env: NodeJS.ProcessEnv, options: { startupMs?: number } = {}): Promise<RunningGateway> {
  const startupMs = options.startupMs ?? 30_000;
  const child = spawn(process.execPath, [...NODE_ARGS, 'serve'], { env: { ...process.env, PORT: '0', ...env }, cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start in ${startupMs / 1000} s:\n${out}`)), startupMs);
    const check = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    baseUrl,
    output: () => out,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
