-- The due jobs a claim takes, always found by walking jobs_claim_idx in order and stopping at the limit.
-- A queue's pending count swings from zero to a million between two ANALYZEs; with statistics that
-- say "almost nothing pending" the planner preferred a bitmap scan and a sort of every pending row,
-- which costs a full pass over the backlog per claim. The SET clauses apply inside this function only.
CREATE OR REPLACE FUNCTION steady_claimable(
  p_now timestamptz, p_limit integer, p_types text[], p_queues text[], p_stage text
) RETURNS SETOF uuid
LANGUAGE sql VOLATILE
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
  SELECT id FROM jobs
  WHERE status = 'pending' AND run_at <= p_now
    -- Paused queues are read once; CASE keeps the array test out of the row estimate.
    AND CASE WHEN EXISTS (SELECT 1 FROM queues WHERE paused)
             THEN queue <> ALL (ARRAY(SELECT name FROM queues WHERE paused)) ELSE true END
    AND (p_types IS NULL OR type = ANY (p_types))
    AND (p_queues IS NULL OR queue = ANY (p_queues))
    AND (p_stage IS NULL OR stage = p_stage)
  ORDER BY priority, run_at, id
  LIMIT p_limit
  FOR UPDATE SKIP LOCKED
$$;
