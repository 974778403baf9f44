CREATE TABLE "limit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "limits" (
	"key" text COLLATE "C" PRIMARY KEY NOT NULL,
	"concurrency" integer,
	"rate" integer,
	"period_ms" integer,
	"burst" integer,
	"tokens" double precision DEFAULT 0 NOT NULL,
	"refilled_at" timestamp with time zone,
	"cooldown_until" timestamp with time zone,
	"cooldown_cause" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "limits_key_check" CHECK (length(key) between 1 and 200),
	CONSTRAINT "limits_concurrency_check" CHECK (concurrency is null or concurrency between 0 and 100000),
	CONSTRAINT "limits_rate_check" CHECK ((rate is null) = (period_ms is null) and (rate is null or (rate between 0 and 1000000 and period_ms between 1000 and 86400000))),
	CONSTRAINT "limits_burst_check" CHECK (burst is null or (rate is not null and burst between 1 and 1000000))
);
--> statement-breakpoint
ALTER TABLE "queues" DROP CONSTRAINT "queues_concurrency_check";--> statement-breakpoint
DROP INDEX "jobs_claim_idx";--> statement-breakpoint
-- Byte order ("C") for keys: the claim walks keys in index order and takes each limit's lock in that
-- order, and a prefix must sort right before the keys below it for that order to be one order.
ALTER TABLE "jobs" ADD COLUMN "limit_key" text COLLATE "C";--> statement-breakpoint
CREATE INDEX "limit_events_key_idx" ON "limit_events" USING btree ("key","id");--> statement-breakpoint
CREATE INDEX "jobs_claim_key_idx" ON "jobs" USING btree ("limit_key","priority","run_at","id") WHERE status = 'pending' and limit_key is not null;--> statement-breakpoint
CREATE INDEX "jobs_running_idx" ON "jobs" USING btree ("limit_key","queue") WHERE status = 'processing';--> statement-breakpoint
CREATE INDEX "jobs_claim_idx" ON "jobs" USING btree ("priority","run_at","id") WHERE status = 'pending' and limit_key is null;--> statement-breakpoint
-- The queues' own concurrency and per-minute rate become limits on the key 'queue:<name>', which the
-- claim reads: one place for every limit.
INSERT INTO "limits" ("key", "concurrency", "rate", "period_ms", "burst", "tokens", "updated_by")
SELECT 'queue:' || name, concurrency, rate_limit_per_minute,
       CASE WHEN rate_limit_per_minute IS NOT NULL THEN 60000 END,
       CASE WHEN rate_limit_per_minute IS NOT NULL THEN greatest(rate_limit_per_minute, 1) END,
       coalesce(rate_limit_per_minute, 0), 'migration'
FROM "queues" WHERE concurrency IS NOT NULL OR rate_limit_per_minute IS NOT NULL;--> statement-breakpoint
ALTER TABLE "queues" DROP COLUMN "concurrency";--> statement-breakpoint
ALTER TABLE "queues" DROP COLUMN "rate_limit_per_minute";--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_limit_key_check" CHECK (limit_key is null or (length(limit_key) between 1 and 200 and limit_key not like 'queue:%'));