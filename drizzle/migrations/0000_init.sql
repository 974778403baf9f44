CREATE TYPE "public"."job_status" AS ENUM('pending', 'processing', 'completed', 'failed', 'cancelled', 'paused');--> statement-breakpoint
CREATE TYPE "public"."platform" AS ENUM('github', 'youtube', 'twitter', 'instagram');--> statement-breakpoint
CREATE TABLE "activities" (
	"user_id" uuid NOT NULL,
	"date" date NOT NULL,
	"platform" "platform" NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activities_user_id_date_platform_pk" PRIMARY KEY("user_id","date","platform"),
	CONSTRAINT "activities_count_check" CHECK (count >= 0)
);
--> statement-breakpoint
CREATE TABLE "job_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"type" text NOT NULL,
	"status" "job_status" NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"from_status" "job_status",
	"to_status" "job_status" NOT NULL,
	"stage" text,
	"attempt" integer DEFAULT 0 NOT NULL,
	"worker" text,
	"message" text
);
--> statement-breakpoint
CREATE TABLE "job_minute_stats" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"queue" text NOT NULL,
	"type" text NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"duration_ms_sum" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"queue" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"result" jsonb,
	"status" "job_status" DEFAULT 'pending' NOT NULL,
	"stage" text,
	"progress" text,
	"priority" integer DEFAULT 10 NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"deferrals" integer DEFAULT 0 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"failed_providers" text[] DEFAULT '{}'::text[] NOT NULL,
	"dedup_key" text,
	"correlation_id" text,
	"user_id" uuid,
	"entity_type" text,
	"entity_id" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"duration_ms" integer,
	CONSTRAINT "jobs_attempts_check" CHECK (attempts >= 0 and max_attempts >= 1 and deferrals >= 0),
	CONSTRAINT "jobs_priority_check" CHECK (priority between -1000 and 1000),
	CONSTRAINT "jobs_lease_check" CHECK (status <> 'processing' or (locked_until is not null and locked_by is not null)),
	CONSTRAINT "jobs_finished_check" CHECK (status not in ('completed', 'failed', 'cancelled') or completed_at is not null),
	CONSTRAINT "jobs_names_check" CHECK (length(queue) between 1 and 100 and length(type) between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "platform_connections" (
	"user_id" uuid NOT NULL,
	"platform" "platform" NOT NULL,
	"handle" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_connections_user_id_platform_pk" PRIMARY KEY("user_id","platform"),
	CONSTRAINT "platform_connections_handle_check" CHECK (length(handle) between 1 and 200)
);
--> statement-breakpoint
CREATE TABLE "queues" (
	"name" text PRIMARY KEY NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"default_max_attempts" integer DEFAULT 3 NOT NULL,
	"backoff" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"concurrency" integer,
	"rate_limit_per_minute" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queues_attempts_check" CHECK (default_max_attempts >= 1),
	CONSTRAINT "queues_concurrency_check" CHECK (concurrency is null or concurrency >= 1)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"github_private" boolean DEFAULT false NOT NULL,
	"youtube_private" boolean DEFAULT false NOT NULL,
	"twitter_private" boolean DEFAULT false NOT NULL,
	"instagram_private" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_username_check" CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$')
);
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "platform_connections" ADD CONSTRAINT "platform_connections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_events_job_idx" ON "job_events" USING btree ("job_id","id");--> statement-breakpoint
CREATE INDEX "job_minute_stats_minute_idx" ON "job_minute_stats" USING btree ("minute");--> statement-breakpoint
CREATE INDEX "jobs_claim_idx" ON "jobs" USING btree ("priority","run_at","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "jobs_lease_idx" ON "jobs" USING btree ("locked_until") WHERE status = 'processing';--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_dedup_key_idx" ON "jobs" USING btree ("dedup_key") WHERE dedup_key is not null and status in ('pending', 'processing', 'paused');--> statement-breakpoint
CREATE INDEX "jobs_queue_status_created_idx" ON "jobs" USING btree ("queue","status","created_at","id");--> statement-breakpoint
CREATE INDEX "jobs_type_created_idx" ON "jobs" USING btree ("type","created_at");--> statement-breakpoint
CREATE INDEX "jobs_created_idx" ON "jobs" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "jobs_completed_idx" ON "jobs" USING btree ("type","completed_at") WHERE status = 'completed';--> statement-breakpoint
CREATE INDEX "jobs_correlation_idx" ON "jobs" USING btree ("correlation_id") WHERE correlation_id is not null;--> statement-breakpoint
CREATE INDEX "jobs_entity_idx" ON "jobs" USING btree ("entity_type","entity_id") WHERE entity_id is not null;--> statement-breakpoint
CREATE INDEX "jobs_user_idx" ON "jobs" USING btree ("user_id","created_at") WHERE user_id is not null;--> statement-breakpoint
CREATE INDEX "platform_connections_enabled_idx" ON "platform_connections" USING btree ("platform") WHERE enabled;--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_idx" ON "users" USING btree (lower("username"));