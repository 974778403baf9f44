-- Fair shares. A job may name whose work it is (`owner_key`: a user, a tenant); within a queue, owners
-- take turns, so one owner's backlog of 100,000 does not hold back another's single job.
--
-- Each owned job gets a place in its queue's turn order (`turn_at`) when it is inserted:
-- - the owner already has jobs waiting in the queue: one microsecond after the last of them;
-- - it has none: the head of the queue's turn order (the earliest turn waiting), so it is next.
-- Two owners' jobs so interleave one for one (start-time fair queuing with a quantum of 1 µs), and a
-- newcomer is never more than one job behind. The claim orders by coalesce(turn_at, run_at): jobs
-- without an owner keep the order of their due time, as before.
--
-- A job that is not yet due (run_at after the statement's `now`, created_at or updated_at) has its turn
-- moved to its due time at least, so everything before the first due turn in the claim's index is due
-- and the claim's walk stays a walk over due rows. When a cool-down defers all of a key's jobs to one
-- time they share one turn and keep their order by id.

ALTER TABLE "jobs" ADD COLUMN "owner_key" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "turn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_owner_key_check" CHECK (owner_key IS NULL OR length(owner_key) BETWEEN 1 AND 200);--> statement-breakpoint
DROP INDEX IF EXISTS "jobs_claim_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "jobs_claim_key_idx";--> statement-breakpoint
CREATE INDEX "jobs_claim_idx" ON "jobs" USING btree ("priority", (coalesce(turn_at, run_at)), "id") WHERE status = 'pending' and limit_key is null;--> statement-breakpoint
CREATE INDEX "jobs_claim_key_idx" ON "jobs" USING btree ("limit_key", "priority", (coalesce(turn_at, run_at)), "id") WHERE status = 'pending' and limit_key is not null;--> statement-breakpoint
-- The owner's last turn, and the queue's head turn: one probe each when an owned job is inserted.
-- Their predicates differ so that neither probe can be planned on the other's index (an owner's probe
-- filtering the whole queue's turns row by row made a bulk insert quadratic).
CREATE INDEX "jobs_owner_turn_idx" ON "jobs" USING btree ("queue", "owner_key", "turn_at") WHERE status = 'pending' and owner_key is not null;--> statement-breakpoint
CREATE INDEX "jobs_turn_idx" ON "jobs" USING btree ("queue", "turn_at") WHERE status = 'pending' and turn_at is not null;--> statement-breakpoint
CREATE OR REPLACE FUNCTION steady_take_turn() RETURNS trigger
LANGUAGE plpgsql VOLATILE
-- Its two probes may be planned while the table still looks empty (a first bulk insert on fresh
-- statistics): a sequential scan per inserted row would make that insert quadratic.
SET enable_seqscan = off
SET enable_bitmapscan = off
AS $$
DECLARE
  v_turn timestamptz;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.turn_at IS NULL THEN
    -- Rows inserted earlier by the same statement are seen here: a batch of one owner's jobs lines up.
    SELECT turn_at + interval '1 microsecond' INTO v_turn FROM jobs
    WHERE status = 'pending' AND owner_key = NEW.owner_key AND queue = NEW.queue
    ORDER BY turn_at DESC LIMIT 1;
    IF v_turn IS NULL THEN
      SELECT turn_at INTO v_turn FROM jobs
      WHERE status = 'pending' AND turn_at IS NOT NULL AND queue = NEW.queue
      ORDER BY turn_at LIMIT 1;
      -- A head still in the future (only deferred jobs wait): this job is due now.
      v_turn := least(v_turn, NEW.created_at);
    END IF;
    NEW.turn_at := v_turn;
    IF NEW.run_at > NEW.created_at THEN NEW.turn_at := greatest(NEW.turn_at, NEW.run_at); END IF;
  ELSIF TG_OP = 'UPDATE' AND NEW.run_at > NEW.updated_at THEN
    NEW.turn_at := greatest(NEW.turn_at, NEW.run_at);
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
-- An insert that gives a row its turn itself skips it.
CREATE TRIGGER jobs_take_turn BEFORE INSERT ON jobs
FOR EACH ROW WHEN (NEW.owner_key IS NOT NULL AND NEW.turn_at IS NULL) EXECUTE FUNCTION steady_take_turn();--> statement-breakpoint
CREATE TRIGGER jobs_turn_follows_run_at BEFORE UPDATE OF run_at ON jobs
FOR EACH ROW WHEN (NEW.owner_key IS NOT NULL) EXECUTE FUNCTION steady_take_turn();
--> statement-breakpoint
-- The claim as in 0014, in turn order: (priority, coalesce(turn_at, run_at), id).
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
