import path from 'node:path';

export const vitestBin = path.resolve('node_modules/.bin/vitest');

/** `vitest run` over `projects`, printing with `reporter` and writing its JSON report to `out`. */
export function vitestArgs(out: string, { projects = ['unit', 'integration'], reporter = 'dot' } = {}): string[] {
  return [
    'run',
    ...projects.flatMap((p) => ['--project', p]),
    `--reporter=${reporter}`,
    '--reporter=json',
    `--outputFile.json=${out}`,
  ];
}
