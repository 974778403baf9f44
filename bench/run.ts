/**
 * `npm run bench [-- --quick] [-- --only drain,enqueue] [-- --rounds N]`
 * Runs bench/main.ts on Node 24 (bench/lib/node24.ts), re-executing itself there from an older Node.
 * main.ts is imported only then: a static import would load the peers on the old Node first.
 */
import { onNode24 } from './lib/node24';

await onNode24(import.meta.filename);
await import('./main');
