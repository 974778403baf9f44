-- Rows made before migration 0003 carry random (v4) ids, which sort above every time-ordered one: the
-- jobs list, newest first by id since 0007, would show them ahead of today's jobs. They get ids made
-- from their own created_at, and their history follows them. (A worker holding such a job's old id
-- mid-run loses its lease to the rescue, as after any lost lease.)
CREATE TEMP TABLE steady_id_moves AS
  SELECT id AS old_id, steady_new_job_id(created_at) AS new_id FROM jobs
  WHERE substr(id::text, 15, 1) <> '7';
--> statement-breakpoint
UPDATE job_events e SET job_id = m.new_id FROM steady_id_moves m WHERE e.job_id = m.old_id;
--> statement-breakpoint
UPDATE jobs j SET id = m.new_id FROM steady_id_moves m WHERE j.id = m.old_id;
--> statement-breakpoint
DROP TABLE steady_id_moves;
