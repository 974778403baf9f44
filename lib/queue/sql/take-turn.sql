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
$$;

-- An insert that gives a row its turn itself skips it.
CREATE OR REPLACE TRIGGER jobs_take_turn BEFORE INSERT ON jobs
FOR EACH ROW WHEN (NEW.owner_key IS NOT NULL AND NEW.turn_at IS NULL) EXECUTE FUNCTION steady_take_turn();

CREATE OR REPLACE TRIGGER jobs_turn_follows_run_at BEFORE UPDATE OF run_at ON jobs
FOR EACH ROW WHEN (NEW.owner_key IS NOT NULL) EXECUTE FUNCTION steady_take_turn();
