-- Statement-level triggers with transition tables: one aggregate per statement, not per row, so a
-- batched claim or completion of 500 jobs pays for the bookkeeping once. They only append deltas
-- (job_counts, job_minute_stats), which stats.ts sums and compacts.
CREATE OR REPLACE FUNCTION steady_jobs_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_counts (queue, type, status, n)
  SELECT queue, type, status, count(*) FROM new_rows GROUP BY queue, type, status;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION steady_jobs_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_counts (queue, type, status, n)
  SELECT queue, type, status, -count(*) FROM old_rows GROUP BY queue, type, status;
  RETURN NULL;
END $$;

-- Only statements that finish jobs touch the minute buckets: claims, leases and retries would pay for
-- the old/new join below on every call to find nothing.
CREATE OR REPLACE FUNCTION steady_jobs_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_counts (queue, type, status, n)
  SELECT queue, type, status, sum(d) FROM (
    SELECT queue, type, status, -1 AS d FROM old_rows
    UNION ALL
    SELECT queue, type, status, 1 AS d FROM new_rows
  ) x
  GROUP BY queue, type, status
  HAVING sum(d) <> 0;

  IF EXISTS (SELECT 1 FROM new_rows WHERE status IN ('completed', 'failed')) THEN
    INSERT INTO job_minute_stats (minute, queue, type, completed, failed, duration_ms_sum)
    SELECT date_trunc('minute', n.completed_at), n.queue, n.type,
           count(*) FILTER (WHERE n.status = 'completed'),
           count(*) FILTER (WHERE n.status = 'failed'),
           coalesce(sum(n.duration_ms) FILTER (WHERE n.status = 'completed'), 0)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.status IN ('completed', 'failed') AND o.status IS DISTINCT FROM n.status
      AND n.completed_at IS NOT NULL
    GROUP BY 1, 2, 3;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER jobs_counts_insert AFTER INSERT ON jobs
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION steady_jobs_after_insert();

CREATE OR REPLACE TRIGGER jobs_counts_delete AFTER DELETE ON jobs
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION steady_jobs_after_delete();

CREATE OR REPLACE TRIGGER jobs_counts_update AFTER UPDATE ON jobs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION steady_jobs_after_update();
