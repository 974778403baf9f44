import { fork, type ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import path from 'node:path';
import { SERVER_SCRIPT_FLAGS } from '@/scripts/lib/server-script';
import type { QueueSystem } from '../systems/types';

interface Progress {
  handled: number;
  first: number;
  last: number;
}

const CHILD = path.resolve(import.meta.dirname, '../drain-child.ts');

function startChild(system: QueueSystem, url: string) {
  const proc: ChildProcess = fork(CHILD, [system.name, url], {
    execArgv: [...(system.nodeFlags ?? []), ...SERVER_SCRIPT_FLAGS],
    stdio: 'inherit',
  });
  const state: Progress = { handled: 0, first: 0, last: 0 };
  const ready = new Promise<void>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${system.name} drain process exited with ${code}`)));
    proc.on('message', (m: { type: string } & Progress) => {
      if (m.type === 'ready') resolve();
      if (m.type === 'progress' || m.type === 'stopped')
        Object.assign(state, { handled: m.handled, first: m.first, last: m.last });
    });
  });
  // The CPU this process has used since "go", asked for once the drain is over.
  const cpuSeconds = () =>
    new Promise<number>((resolve) => {
      const onMessage = (m: { type: string; cpuSeconds?: number }) => {
        if (m.type !== 'sample') return;
        proc.off('message', onMessage);
        resolve(m.cpuSeconds ?? 0);
      };
      proc.on('message', onMessage);
      proc.send({ type: 'sample' });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.send({ type: 'stop' });
      setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
    });
  return { proc, state, ready, cpuSeconds, stop };
}

export interface DrainResult {
  jobsPerSec: number;
  seconds: number;
  perProcess: number[];
  /** CPU seconds of the worker processes together, from "go" to the last completion. */
  workerCpuSeconds: number;
  /** CPU seconds of the database server over the same span; null when it is not on this machine. */
  serverCpuSeconds: number | null;
}

/**
 * Drains `n` pre-enqueued jobs with `processes` worker processes. The clock runs from the first handler
 * start in any process to the moment the database holds no unfinished job. `serverCpu` reads the
 * server's CPU seconds so far (BenchServer.cpuSeconds).
 */
export async function drain(
  system: QueueSystem,
  url: string,
  n: number,
  processes: number,
  serverCpu: () => number | null = () => null,
  timeoutMs = 180_000,
): Promise<DrainResult> {
  const children = Array.from({ length: processes }, () => startChild(system, url));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const remaining = async () => Number((await sql.unsafe(system.unfinishedSql))[0].n);
  try {
    await Promise.all(children.map((c) => c.ready));
    const serverAtGo = serverCpu();
    for (const c of children) c.proc.send({ type: 'go' });
    const giveUp = Date.now() + timeoutMs;
    const handled = () => children.reduce((s, c) => s + c.state.handled, 0);
    while (handled() < n) {
      if (Date.now() > giveUp) throw new Error(`${system.name}: only ${handled()} of ${n} jobs started`);
      await new Promise((r) => setTimeout(r, 10));
    }
    while ((await remaining()) > 0) {
      if (Date.now() > giveUp) throw new Error(`${system.name}: jobs left unfinished`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const end = performance.timeOrigin + performance.now();
    const serverAtEnd = serverCpu();
    const workerCpu = await Promise.all(children.map((c) => c.cpuSeconds()));
    const first = Math.min(...children.map((c) => c.state.first).filter((t) => t > 0));
    const seconds = (end - first) / 1000;
    return {
      jobsPerSec: n / seconds,
      seconds,
      perProcess: children.map((c) => c.state.handled),
      workerCpuSeconds: workerCpu.reduce((a, b) => a + b, 0),
      serverCpuSeconds: serverAtGo === null || serverAtEnd === null ? null : serverAtEnd - serverAtGo,
    };
  } finally {
    await sql.end({ timeout: 5 });
    await Promise.all(children.map((c) => c.stop()));
  }
}
