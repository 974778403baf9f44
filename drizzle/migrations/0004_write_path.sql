-- Fewer index writes per job: every enqueue and status change wrote a (type, created_at) entry read only
-- by the jobs list filtered by type alone, and every history row wrote two keys where one serves.
DROP INDEX "job_events_job_idx";--> statement-breakpoint
DROP INDEX "jobs_type_created_idx";--> statement-breakpoint
ALTER TABLE "job_events" DROP CONSTRAINT "job_events_pkey";--> statement-breakpoint
ALTER TABLE "jobs" ALTER COLUMN "id" SET DEFAULT steady_new_job_id();--> statement-breakpoint
ALTER TABLE "job_events" ADD CONSTRAINT "job_events_pkey" PRIMARY KEY("job_id","id");
