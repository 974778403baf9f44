import 'server-only';
import { z } from 'zod';

/**
 * A whole number from a JSON body (a number) or a query string (its digits). z.coerce would also take
 * `true` as 1 and `[30]` as 30.
 */
export const wholeNumber = (min: number, max: number) => {
  // One message for every way a value misses, naming the range (limit=0 and limit=abc alike).
  const error = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v) ? Number(v) : v),
    z.number({ error }).int(error).min(min, error).max(max, error),
  );
};
