-- Whether the limit `p_limit` covers a job of queue `p_queue` with limit key `p_limit_key`: its own key,
-- a prefix ending in ':' above it, or its queue's 'queue:<name>'. The one definition the claim, the due
-- count and the Limits page share.
CREATE OR REPLACE FUNCTION steady_limit_covers(p_limit text, p_queue text, p_limit_key text) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
  SELECT coalesce(CASE WHEN starts_with(p_limit, 'queue:') THEN substr(p_limit, 7) = p_queue
                       WHEN right(p_limit, 1) = ':' THEN starts_with(p_limit_key, p_limit)
                       ELSE p_limit_key = p_limit END, false)
$$;

-- What one limit lets start now: `cap` (NULL: no cap) and the bucket's `tokens` after refilling to
-- p_now (NULL: no rate). The claim locks the limit first (p_lock); the due count of process-queue's
-- fan-out and the Limits page read it without a lock. A limit removed meanwhile answers no cap.
CREATE OR REPLACE FUNCTION steady_limit_room(p_key text, p_now timestamptz, p_lock boolean, OUT cap integer, OUT tokens float8)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  lim limits%ROWTYPE;
  v_run integer;
BEGIN
  IF p_lock THEN
    SELECT * INTO lim FROM limits WHERE key = p_key FOR UPDATE;
  ELSE
    SELECT * INTO lim FROM limits WHERE key = p_key;
  END IF;
  IF NOT FOUND THEN RETURN; END IF;
  IF lim.cooldown_until IS NOT NULL AND lim.cooldown_until > p_now THEN cap := 0; END IF;
  -- Counted up to the cap only: a key at its cap needs no more of its running jobs read.
  IF lim.concurrency IS NOT NULL THEN
    IF starts_with(lim.key, 'queue:') THEN
      SELECT count(*) INTO v_run FROM (SELECT 1 FROM jobs WHERE status = 'processing' AND queue = substr(lim.key, 7)
                                       LIMIT lim.concurrency) running;
    ELSIF right(lim.key, 1) = ':' THEN
      SELECT count(*) INTO v_run FROM (SELECT 1 FROM jobs
        WHERE status = 'processing' AND limit_key >= lim.key AND limit_key < lim.key || chr(1114111)
        LIMIT lim.concurrency) running;
    ELSE
      SELECT count(*) INTO v_run FROM (SELECT 1 FROM jobs WHERE status = 'processing' AND limit_key = lim.key
                                       LIMIT lim.concurrency) running;
    END IF;
    cap := least(coalesce(cap, lim.concurrency), greatest(lim.concurrency - v_run, 0));
  END IF;
  IF lim.rate IS NOT NULL THEN
    IF lim.refilled_at IS NULL THEN
      tokens := coalesce(lim.burst, greatest(lim.rate, 1));
    ELSE
      tokens := least(coalesce(lim.burst, greatest(lim.rate, 1))::float8,
                      lim.tokens + lim.rate::float8
                        * greatest(extract(epoch FROM p_now - lim.refilled_at) * 1000, 0) / lim.period_ms);
    END IF;
    cap := least(coalesce(cap, floor(tokens)::integer), floor(tokens)::integer);
  END IF;
END
$$;
