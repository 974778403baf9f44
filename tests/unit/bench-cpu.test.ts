import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { treeCpuSeconds } from '@/bench/lib/cpu';

// The benchmark reads a server's CPU through its postmaster: the backends are its children, live or gone.
const burn = (ms: number) =>
  spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; while (Date.now() < end) {}`]);

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

describe('treeCpuSeconds', () => {
  it('counts a child while it runs and after it has exited', async () => {
    const before = treeCpuSeconds(process.pid)!;
    const ownBefore = ownCpuSeconds();
    const child = burn(600);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 400));
    const whileRunning = treeCpuSeconds(process.pid)! - before - (ownCpuSeconds() - ownBefore);
    await exited;
    const afterExit = treeCpuSeconds(process.pid)! - before - (ownCpuSeconds() - ownBefore);
    expect(whileRunning).toBeGreaterThan(0.15);
    expect(afterExit).toBeGreaterThan(0.4);
    expect(afterExit).toBeLessThan(5);
  });

  it('is null for a process that is not there', () => {
    expect(treeCpuSeconds(2 ** 22 + 12345)).toBeNull();
  });
});
