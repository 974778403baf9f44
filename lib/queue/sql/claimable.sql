-- The claim's choice of jobs: the ids of up to p_limit due jobs, locked (SKIP LOCKED, so overlapping
-- claimers split the due rows), in claim order; claim.ts leases them. It honours the `limits` table:
-- - A limit row is locked before anything under it is counted, so claims that could start jobs under
--   it take turns: each counts the running jobs and spends the tokens the one before it left, and no
--   key goes over its concurrency or rate, not even by one, however many claimers there are. Only the
--   limits a claim may use are locked: the queues' ('queue:<name>') first, then, key by key in byte
--   order, those over a key that has jobs for this claim. Every claimer takes them in that one order,
--   so two never wait on each other in a circle.
-- - Jobs without a limit key are walked in jobs_claim_idx; jobs with one, key by key in
--   jobs_claim_key_idx (keys found by skip-scan, one index probe each), taking at most what the key may
--   start. A key at its limit or cooling down is passed over without reading its backlog, so the others
--   keep flowing and the claim stays a bounded walk at any backlog.
-- - Candidates are merged in claim order and taken while every limit that applies
--   (the key's own, a prefix ending in ':' above it, the queue's 'queue:<name>') has room.
-- - Tokens are written back only when some were spent: the bucket refills from refilled_at lazily.
-- Each SQL statement in a VOLATILE plpgsql function takes a fresh snapshot: the counts after a lock
-- see every claim committed before it.
-- Claim order is (priority, coalesce(turn_at, run_at), id): the turn order of fair shares (take-turn.sql),
-- which jobs_claim_idx and jobs_claim_key_idx hold. The SET clauses keep the walk on those indexes and
-- the plan generic whatever the statistics say (a sort over the whole backlog once looked cheaper to
-- the planner right after a large fan-out; custom plans cost more than the query).
CREATE OR REPLACE FUNCTION steady_claimable(
  p_now timestamptz, p_limit integer, p_types text[], p_queues text[], p_stage text
) RETURNS SETOF uuid
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
SET enable_bitmapscan = off
SET plan_cache_mode = force_generic_plan
-- A generic plan prices the key probe's EXISTS as a whole-index walk and starts parallel workers
-- for it: 20 ms of startup for a row found in the first index page.
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
  v_closed text[] := ARRAY(SELECT name FROM queues WHERE paused);
  lk text[] := ARRAY(SELECT key FROM limits ORDER BY key);
  nl integer;
  lcap integer[];     -- starts the limit allows now; NULL: no cap (or not locked: not needed)
  ltok float8[];      -- tokens after refill; NULL: no rate
  lused integer[];
  lready boolean[];
  r record;
  v_cand uuid[] := '{}';
  v_key text;
  v_kcap integer;
  c record;
  i integer;
  n integer := 0;
  v_ok boolean;
  v_limited boolean;
BEGIN
  IF p_limit < 1 THEN RETURN; END IF;
  nl := coalesce(array_length(lk, 1), 0);
  lcap := array_fill(NULL::integer, ARRAY[nl]);
  ltok := array_fill(NULL::float8, ARRAY[nl]);
  lused := array_fill(0, ARRAY[nl]);
  lready := array_fill(false, ARRAY[nl]);

  -- The queues' limits first ('queue:' sorts before nothing it must wait behind: see the header).
  FOR i IN 1 .. nl LOOP
    IF starts_with(lk[i], 'queue:') AND (p_queues IS NULL OR substr(lk[i], 7) = ANY (p_queues)) THEN
      SELECT * INTO r FROM steady_limit_room(lk[i], p_now, true);
      lcap[i] := r.cap;
      ltok[i] := r.tokens;
      lready[i] := true;
      IF r.cap = 0 THEN v_closed := v_closed || substr(lk[i], 7); END IF;
    END IF;
  END LOOP;

  v_cand := ARRAY(
    SELECT id FROM jobs
    WHERE status = 'pending' AND limit_key IS NULL AND run_at <= p_now
      AND queue <> ALL (v_closed)
      AND (p_types IS NULL OR type = ANY (p_types))
      AND (p_queues IS NULL OR queue = ANY (p_queues))
      AND (p_stage IS NULL OR stage = p_stage)
    ORDER BY priority, coalesce(turn_at, run_at), id
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED);

  v_key := (SELECT min(limit_key) FROM jobs WHERE status = 'pending' AND limit_key IS NOT NULL);
  WHILE v_key IS NOT NULL LOOP
    v_limited := false;
    FOR i IN 1 .. nl LOOP
      IF steady_limit_covers(lk[i], NULL, v_key) THEN v_limited := true; EXIT; END IF;
    END LOOP;
    -- A limited key with nothing here for this claimer: none of its limits is locked.
    IF NOT v_limited OR EXISTS (
      SELECT 1 FROM jobs
      WHERE status = 'pending' AND limit_key = v_key AND run_at <= p_now
        AND queue <> ALL (v_closed)
        AND (p_types IS NULL OR type = ANY (p_types))
        AND (p_queues IS NULL OR queue = ANY (p_queues))
        AND (p_stage IS NULL OR stage = p_stage)) THEN
      v_kcap := NULL;
      FOR i IN 1 .. nl LOOP
        IF v_limited AND steady_limit_covers(lk[i], NULL, v_key) THEN
          IF NOT lready[i] THEN
            SELECT * INTO r FROM steady_limit_room(lk[i], p_now, true);
            lcap[i] := r.cap;
            ltok[i] := r.tokens;
            lready[i] := true;
          END IF;
          IF lcap[i] IS NOT NULL THEN v_kcap := least(coalesce(v_kcap, lcap[i] - lused[i]), lcap[i] - lused[i]); END IF;
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
          ORDER BY priority, coalesce(turn_at, run_at), id
          LIMIT least(p_limit, coalesce(v_kcap, p_limit))
          FOR UPDATE SKIP LOCKED);
      END IF;
    END IF;
    v_key := (SELECT min(limit_key) FROM jobs WHERE status = 'pending' AND limit_key IS NOT NULL AND limit_key > v_key);
  END LOOP;

  FOR c IN SELECT id, limit_key, queue FROM jobs WHERE id = ANY (v_cand) ORDER BY priority, coalesce(turn_at, run_at), id LOOP
    v_ok := true;
    FOR i IN 1 .. nl LOOP
      IF lready[i] AND lcap[i] IS NOT NULL AND lused[i] >= lcap[i] AND steady_limit_covers(lk[i], c.queue, c.limit_key) THEN
        v_ok := false;
        EXIT;
      END IF;
    END LOOP;
    CONTINUE WHEN NOT v_ok;
    FOR i IN 1 .. nl LOOP
      IF lready[i] AND steady_limit_covers(lk[i], c.queue, c.limit_key) THEN
        lused[i] := lused[i] + 1;
      END IF;
    END LOOP;
    RETURN NEXT c.id;
    n := n + 1;
    EXIT WHEN n >= p_limit;
  END LOOP;

  FOR i IN 1 .. nl LOOP
    IF ltok[i] IS NOT NULL AND lused[i] > 0 THEN
      UPDATE limits SET tokens = ltok[i] - lused[i], refilled_at = greatest(coalesce(refilled_at, p_now), p_now)
      WHERE key = lk[i];
    END IF;
  END LOOP;
END
$$;
