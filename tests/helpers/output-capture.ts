/**
 * Records what the code under test prints (console.* and direct writes to stdout/stderr) so a suite
 * can assert that no secret ever reaches a log. The output is still printed.
 */
export interface Capture {
  text(): string;
  restore(): void;
}

export function captureOutput(): Capture {
  const chunks: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((m) => console[m]);
  methods.forEach((m, i) => {
    console[m] = (...args: unknown[]) => {
      chunks.push(args.map(describe).join(' '));
      originals[i].apply(console, args);
    };
  });
  const writes = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return { stream, original };
  });
  return {
    text: () => chunks.join('\n'),
    restore() {
      methods.forEach((m, i) => (console[m] = originals[i]));
      for (const w of writes) w.stream.write = w.original as typeof w.stream.write;
    },
  };
}

// Errors print their message, stack and cause chain: a secret inside any of them must be caught.
function describe(v: unknown): string {
  if (v instanceof Error) {
    const parts = [v.stack ?? v.message];
    for (let c = v.cause, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++)
      parts.push(describe(c));
    return parts.join('\ncaused by ');
  }
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
