CREATE TABLE "drain_calls" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"held_until" timestamp with time zone NOT NULL
);
