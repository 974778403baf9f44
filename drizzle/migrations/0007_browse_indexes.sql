DROP INDEX "jobs_dedup_search_idx";--> statement-breakpoint
DROP INDEX "jobs_queue_status_created_idx";--> statement-breakpoint
DROP INDEX "jobs_created_idx";--> statement-breakpoint
DROP INDEX "jobs_user_idx";--> statement-breakpoint
DROP INDEX "jobs_dedup_key_idx";--> statement-breakpoint
CREATE INDEX "jobs_browse_queue_idx" ON "jobs" USING btree ("queue","status","id") WHERE status in ('completed', 'failed', 'cancelled', 'paused');--> statement-breakpoint
CREATE INDEX "jobs_browse_dedup_idx" ON "jobs" USING btree ("dedup_key" text_pattern_ops) WHERE dedup_key is not null and status in ('completed', 'failed', 'cancelled', 'paused');--> statement-breakpoint
CREATE INDEX "jobs_browse_user_idx" ON "jobs" USING btree ("user_id","id") WHERE user_id is not null and status in ('completed', 'failed', 'cancelled', 'paused');--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_dedup_key_idx" ON "jobs" USING btree ("dedup_key" text_pattern_ops) WHERE dedup_key is not null and status in ('pending', 'processing', 'paused');--> statement-breakpoint
-- Ids carry their row's created_at, so the primary key is also the creation order the jobs list
-- browses in; an index on created_at would only repeat it. PostgreSQL 18's uuidv7(shift) places the
-- clock part at now() + shift; older servers build the same layout by hand.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'uuidv7' AND pronargs = 1) THEN
    CREATE OR REPLACE FUNCTION steady_new_job_id(p_at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
      AS 'SELECT uuidv7(p_at - clock_timestamp())';
  ELSE
    CREATE OR REPLACE FUNCTION steady_new_job_id(p_at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
      AS $f$
        SELECT encode(set_bit(set_bit(
          overlay(uuid_send(gen_random_uuid())
                  placing substring(int8send((extract(epoch FROM p_at) * 1000)::bigint) FROM 3)
                  FROM 1 FOR 6),
          52, 1), 53, 1), 'hex')::uuid
      $f$;
  END IF;
END $$;
