-- Flow control in the claim. steady_claimable keeps its contract (the ids of up to p_limit due jobs,
-- locked, in claim order) and now also honours the `limits` table:
-- - Every limit row is locked (in key order) before anything is counted, so claims that could start a
--   limited job take turns: each counts the running jobs and spends the tokens the one before it left,
--   and no key goes over its concurrency or rate, not even by one, however many claimers there are.
--   With no limit rows there is nothing to lock and claims run side by side as before.
-- - Jobs without a limit key are walked in jobs_claim_idx; jobs with one, key by key in
--   jobs_claim_key_idx (keys found by skip-scan, one index probe each), taking at most what the key may
--   start. A key at its limit or cooling down is passed over without reading its backlog, so the others
--   keep flowing and the claim stays a bounded walk at any backlog.
-- - Candidates are merged in claim order (priority, run_at, id) and taken while every limit that applies
--   (the key's own, a prefix ending in ':' above it, the queue's 'queue:<name>') has room.
-- Each SQL statement in a VOLATILE plpgsql function takes a fresh snapshot: the counts after the lock
-- see every claim committed before it.
CREATE OR REPLACE FUNCTION steady_claimable(
  p_now timestamptz, p_limit integer, p_types text[], p_queues text[], p_stage text
) RETURNS SETOF uuid
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
SET enable_bitmapscan = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_closed text[] := ARRAY(SELECT name FROM queues WHERE paused);
  lk text[] := '{}';
  lcap integer[] := '{}';   -- starts allowed now; NULL: no cap
  ltok float8[] := '{}';    -- tokens after refill; NULL: no rate
  lused integer[] := '{}';
  lim record;
  v_cap integer;
  v_tok float8;
  v_run integer;
  v_cand uuid[] := '{}';
  v_key text;
  v_kcap integer;
  c record;
  i integer;
  n integer := 0;
  v_ok boolean;
BEGIN
  IF p_limit < 1 THEN RETURN; END IF;
  FOR lim IN SELECT * FROM limits ORDER BY key FOR UPDATE LOOP
    v_cap := NULL;
    v_tok := NULL;
    IF lim.cooldown_until IS NOT NULL AND lim.cooldown_until > p_now THEN v_cap := 0; END IF;
    IF lim.concurrency IS NOT NULL THEN
      IF starts_with(lim.key, 'queue:') THEN
        SELECT count(*) INTO v_run FROM jobs WHERE status = 'processing' AND queue = substr(lim.key, 7);
      ELSIF right(lim.key, 1) = ':' THEN
        SELECT count(*) INTO v_run FROM jobs WHERE status = 'processing' AND starts_with(limit_key, lim.key);
      ELSE
        SELECT count(*) INTO v_run FROM jobs WHERE status = 'processing' AND limit_key = lim.key;
      END IF;
      v_cap := least(coalesce(v_cap, lim.concurrency), greatest(lim.concurrency - v_run, 0));
    END IF;
    IF lim.rate IS NOT NULL THEN
      IF lim.refilled_at IS NULL THEN
        v_tok := coalesce(lim.burst, greatest(lim.rate, 1));
      ELSE
        v_tok := least(coalesce(lim.burst, greatest(lim.rate, 1))::float8,
                       lim.tokens + lim.rate::float8
                         * greatest(extract(epoch FROM p_now - lim.refilled_at) * 1000, 0) / lim.period_ms);
      END IF;
      v_cap := least(coalesce(v_cap, floor(v_tok)::integer), floor(v_tok)::integer);
    END IF;
    lk := lk || lim.key;
    lcap := lcap || v_cap;
    ltok := ltok || v_tok;
    lused := lused || 0;
    IF v_cap = 0 AND starts_with(lim.key, 'queue:') THEN v_closed := v_closed || substr(lim.key, 7); END IF;
  END LOOP;

  v_cand := ARRAY(
    SELECT id FROM jobs
    WHERE status = 'pending' AND limit_key IS NULL AND run_at <= p_now
      AND queue <> ALL (v_closed)
      AND (p_types IS NULL OR type = ANY (p_types))
      AND (p_queues IS NULL OR queue = ANY (p_queues))
      AND (p_stage IS NULL OR stage = p_stage)
    ORDER BY priority, run_at, id
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED);

  v_key := (SELECT min(limit_key) FROM jobs WHERE status = 'pending' AND limit_key IS NOT NULL);
  WHILE v_key IS NOT NULL LOOP
    v_kcap := NULL;
    FOR i IN 1 .. coalesce(array_length(lk, 1), 0) LOOP
      IF lk[i] = v_key OR (right(lk[i], 1) = ':' AND starts_with(v_key, lk[i])) THEN
        v_kcap := least(coalesce(v_kcap, lcap[i]), lcap[i]);
      END IF;
    END LOOP;
    IF v_kcap IS NULL OR v_kcap > 0 THEN
      v_cand := v_cand || ARRAY(
        SELECT id FROM jobs
        WHERE status = 'pending' AND limit_key = v_key AND run_at <= p_now
          AND queue <> ALL (v_closed)
          AND (p_types IS NULL OR type = ANY (p_types))
          AND (p_queues IS NULL OR queue = ANY (p_queues))
          AND (p_stage IS NULL OR stage = p_stage)
        ORDER BY priority, run_at, id
        LIMIT least(p_limit, coalesce(v_kcap, p_limit))
        FOR UPDATE SKIP LOCKED);
    END IF;
    v_key := (SELECT min(limit_key) FROM jobs WHERE status = 'pending' AND limit_key IS NOT NULL AND limit_key > v_key);
  END LOOP;

  FOR c IN SELECT id, limit_key, queue FROM jobs WHERE id = ANY (v_cand) ORDER BY priority, run_at, id LOOP
    v_ok := true;
    FOR i IN 1 .. coalesce(array_length(lk, 1), 0) LOOP
      IF lcap[i] IS NOT NULL AND lused[i] >= lcap[i]
         AND (lk[i] = 'queue:' || c.queue
              OR (c.limit_key IS NOT NULL AND (lk[i] = c.limit_key OR (right(lk[i], 1) = ':' AND starts_with(c.limit_key, lk[i]))))) THEN
        v_ok := false;
        EXIT;
      END IF;
    END LOOP;
    CONTINUE WHEN NOT v_ok;
    FOR i IN 1 .. coalesce(array_length(lk, 1), 0) LOOP
      IF lk[i] = 'queue:' || c.queue
         OR (c.limit_key IS NOT NULL AND (lk[i] = c.limit_key OR (right(lk[i], 1) = ':' AND starts_with(c.limit_key, lk[i])))) THEN
        lused[i] := lused[i] + 1;
      END IF;
    END LOOP;
    RETURN NEXT c.id;
    n := n + 1;
    EXIT WHEN n >= p_limit;
  END LOOP;

  FOR i IN 1 .. coalesce(array_length(lk, 1), 0) LOOP
    IF ltok[i] IS NOT NULL THEN
      UPDATE limits SET tokens = ltok[i] - lused[i], refilled_at = greatest(coalesce(refilled_at, p_now), p_now)
      WHERE key = lk[i];
    END IF;
  END LOOP;
END
$$;
