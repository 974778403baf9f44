import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** libfaketime's preload library (Debian's `faketime` package), or undefined when it is not installed. */
export function findLibfaketime(): string | undefined {
  const known = [
    '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
    '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  ];
  const found = known.find((p) => existsSync(p));
  if (found) return found;
  try {
    return execFileSync('dpkg', ['-L', 'libfaketime'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .find((l) => l.endsWith('libfaketime.so.1'));
  } catch {
    return undefined; // not a Debian machine, or the package is missing
  }
}
