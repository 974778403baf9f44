import { z } from 'zod';
import { defineJobType, enqueueJobs, type Db, type EnqueueInput, type JobTypes } from '@/lib/queue';

/** Job types for engine tests: handlers are set per test through `behaviour`. */
export function testTypes(behaviour: { run?: (payload: { n: number }) => Promise<unknown> } = {}): JobTypes {
  return {
    'test.noop': defineJobType({
      queue: 'test',
      payloadSchema: z.object({ n: z.number().int().default(0) }),
      handle: async ({ payload }) => (behaviour.run ? behaviour.run(payload) : { ok: payload.n }),
    }),
    'test.other': defineJobType({
      queue: 'other',
      payloadSchema: z.object({ n: z.number().int().default(0) }),
      handle: async ({ payload }) => ({ other: payload.n }),
    }),
    'test.external': defineJobType({ queue: 'external', payloadSchema: z.object({}).passthrough() }),
  };
}

export async function seedJobs(
  db: Db,
  types: JobTypes,
  count: number,
  make: (i: number) => Partial<EnqueueInput> = () => ({}),
  now = new Date(),
) {
  const inputs: EnqueueInput[] = Array.from({ length: count }, (_, i) => ({
    type: 'test.noop',
    payload: { n: i },
    ...make(i),
  }));
  const out = [];
  for (let i = 0; i < inputs.length; i += 5000) {
    out.push(...(await enqueueJobs(db, types, inputs.slice(i, i + 5000), { now })));
  }
  return out.map((r) => r.job);
}
