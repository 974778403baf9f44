import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Node flags that run a TypeScript file as Next runs the server: tsx loads it, and the react-server
 * condition resolves `server-only` to its empty module (without it, every server module's
 * `import 'server-only'` throws).
 */
export const SERVER_SCRIPT_FLAGS = ['--conditions=react-server', '--import', 'tsx'];

/** Starts `file` with SERVER_SCRIPT_FLAGS under `node` (this process's Node unless given). */
export function spawnServerScript(
  file: string,
  options: SpawnOptions & { args?: string[]; node?: string } = {},
): ChildProcess {
  const { args = [], node = process.execPath, ...spawnOptions } = options;
  return spawn(node, [...SERVER_SCRIPT_FLAGS, file, ...args], spawnOptions);
}
