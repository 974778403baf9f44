import { spawn } from 'node:child_process';

export function runOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: 'inherit', env });
    p.once('exit', (code) => resolve(code ?? 1));
  });
}
