/**
 * One drain process: `tsx bench/drain-child.ts <system> <url>`, driven over IPC by bench/lib/drain.ts.
 * It starts the system's workers on "go", reports the time of its first handler start and how many
 * handlers have started, answers "sample" with the CPU it has used since "go", and stops on "stop".
 */
import { systemByName } from './systems';

const [name, url] = process.argv.slice(2);
const system = systemByName(name);
let handled = 0;
let first = 0;
let last = 0;
const send = (m: object) => process.send?.(m);
let running: { stop: () => Promise<void> } | null = null;
let ticker: NodeJS.Timeout | undefined;
let cpuAtGo = process.cpuUsage();

async function onMessage(m: { type: string }): Promise<void> {
  if (m.type === 'go') {
    cpuAtGo = process.cpuUsage();
    running = await system.startDrain(url, () => {
      last = performance.timeOrigin + performance.now();
      if (handled++ === 0) first = last;
    });
    ticker = setInterval(() => send({ type: 'progress', handled, first, last }), 20);
  } else if (m.type === 'sample') {
    const used = process.cpuUsage(cpuAtGo);
    send({ type: 'sample', cpuSeconds: (used.user + used.system) / 1e6 });
  } else if (m.type === 'stop') {
    clearInterval(ticker);
    await running?.stop();
    send({ type: 'stopped', handled, first, last });
    process.disconnect?.();
    setTimeout(() => process.exit(0), 50);
  }
}

// A start or stop that fails ends this process, which bench/lib/drain.ts reports as the drain failing.
process.on('message', (m: { type: string }) => {
  onMessage(m).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
send({ type: 'ready' });
