-- The schema the committed migrations produce. Written by `npm run db:schema`; do not edit.

-- Types

CREATE TYPE job_status AS ENUM ('pending', 'processing', 'completed', 'failed', 'cancelled', 'paused');

CREATE TYPE platform AS ENUM ('github', 'youtube', 'twitter', 'instagram');

-- Tables

CREATE TABLE activities (
  user_id uuid NOT NULL,
  date date NOT NULL,
  platform platform NOT NULL,
  count integer DEFAULT 0 NOT NULL,
  details jsonb DEFAULT '{}'::jsonb NOT NULL,
  synced_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT activities_count_check CHECK ((count >= 0)),
  CONSTRAINT activities_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT activities_user_id_date_platform_pk PRIMARY KEY (user_id, date, platform)
);

CREATE TABLE drain_calls (
  id text NOT NULL,
  started_at timestamp with time zone NOT NULL,
  held_until timestamp with time zone NOT NULL,
  CONSTRAINT drain_calls_pkey PRIMARY KEY (id)
);

CREATE TABLE job_counts (
  id bigint DEFAULT nextval('job_counts_id_seq'::regclass) NOT NULL,
  queue text NOT NULL,
  type text NOT NULL,
  status job_status NOT NULL,
  n bigint NOT NULL,
  CONSTRAINT job_counts_pkey PRIMARY KEY (id)
);

CREATE TABLE job_events (
  id bigint DEFAULT nextval('job_events_id_seq'::regclass) NOT NULL,
  job_id uuid NOT NULL,
  at timestamp with time zone DEFAULT now() NOT NULL,
  from_status job_status,
  to_status job_status NOT NULL,
  stage text,
  attempt integer DEFAULT 0 NOT NULL,
  worker text,
  message text,
  CONSTRAINT job_events_pkey PRIMARY KEY (job_id, id)
);

CREATE TABLE job_minute_stats (
  id bigint DEFAULT nextval('job_minute_stats_id_seq'::regclass) NOT NULL,
  minute timestamp with time zone NOT NULL,
  queue text NOT NULL,
  type text NOT NULL,
  completed integer DEFAULT 0 NOT NULL,
  failed integer DEFAULT 0 NOT NULL,
  duration_ms_sum bigint DEFAULT 0 NOT NULL,
  CONSTRAINT job_minute_stats_pkey PRIMARY KEY (id)
);

CREATE TABLE jobs (
  id uuid DEFAULT steady_new_job_id() NOT NULL,
  queue text NOT NULL,
  type text NOT NULL,
  payload jsonb DEFAULT '{}'::jsonb NOT NULL,
  result jsonb,
  status job_status DEFAULT 'pending'::job_status NOT NULL,
  stage text,
  progress text,
  priority integer DEFAULT 10 NOT NULL,
  run_at timestamp with time zone DEFAULT now() NOT NULL,
  attempts integer DEFAULT 0 NOT NULL,
  max_attempts integer DEFAULT 3 NOT NULL,
  deferrals integer DEFAULT 0 NOT NULL,
  locked_by text,
  locked_until timestamp with time zone,
  last_error text,
  failed_providers text[] DEFAULT '{}'::text[] NOT NULL,
  dedup_key text,
  correlation_id text,
  user_id uuid,
  entity_type text,
  entity_id text,
  metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  started_at timestamp with time zone,
  completed_at timestamp with time zone,
  duration_ms integer,
  limit_key text COLLATE "C",
  owner_key text COLLATE "C",
  turn_at timestamp with time zone,
  CONSTRAINT jobs_attempts_check CHECK (((attempts >= 0) AND (max_attempts >= 1) AND (deferrals >= 0))),
  CONSTRAINT jobs_finished_check CHECK (((status <> ALL (ARRAY['completed'::job_status, 'failed'::job_status, 'cancelled'::job_status])) OR (completed_at IS NOT NULL))),
  CONSTRAINT jobs_lease_check CHECK (((status <> 'processing'::job_status) OR ((locked_until IS NOT NULL) AND (locked_by IS NOT NULL)))),
  CONSTRAINT jobs_limit_key_check CHECK (((limit_key IS NULL) OR (((length(limit_key) >= 1) AND (length(limit_key) <= 200)) AND (limit_key !~~ 'queue:%'::text)))),
  CONSTRAINT jobs_names_check CHECK ((((length(queue) >= 1) AND (length(queue) <= 100)) AND ((length(type) >= 1) AND (length(type) <= 100)))),
  CONSTRAINT jobs_owner_key_check CHECK (((owner_key IS NULL) OR ((length(owner_key) >= 1) AND (length(owner_key) <= 200)))),
  CONSTRAINT jobs_priority_check CHECK (((priority >= '-1000'::integer) AND (priority <= 1000))),
  CONSTRAINT jobs_pkey PRIMARY KEY (id)
);

CREATE TABLE limit_events (
  id bigint DEFAULT nextval('limit_events_id_seq'::regclass) NOT NULL,
  key text NOT NULL,
  at timestamp with time zone DEFAULT now() NOT NULL,
  actor text NOT NULL,
  before jsonb,
  after jsonb,
  CONSTRAINT limit_events_pkey PRIMARY KEY (id)
);

CREATE TABLE limits (
  key text COLLATE "C" NOT NULL,
  concurrency integer,
  rate integer,
  period_ms integer,
  burst integer,
  tokens double precision DEFAULT 0 NOT NULL,
  refilled_at timestamp with time zone,
  cooldown_until timestamp with time zone,
  cooldown_cause text,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_by text,
  CONSTRAINT limits_burst_check CHECK (((burst IS NULL) OR ((rate IS NOT NULL) AND ((burst >= 1) AND (burst <= 1000000))))),
  CONSTRAINT limits_concurrency_check CHECK (((concurrency IS NULL) OR ((concurrency >= 0) AND (concurrency <= 100000)))),
  CONSTRAINT limits_key_check CHECK (((length(key) >= 1) AND (length(key) <= 200))),
  CONSTRAINT limits_rate_check CHECK ((((rate IS NULL) = (period_ms IS NULL)) AND ((rate IS NULL) OR (((rate >= 0) AND (rate <= 1000000)) AND ((period_ms >= 1000) AND (period_ms <= 86400000)))))),
  CONSTRAINT limits_pkey PRIMARY KEY (key)
);

CREATE TABLE platform_connections (
  user_id uuid NOT NULL,
  platform platform NOT NULL,
  handle text NOT NULL,
  enabled boolean DEFAULT true NOT NULL,
  last_synced_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT platform_connections_handle_check CHECK (((length(handle) >= 1) AND (length(handle) <= 200))),
  CONSTRAINT platform_connections_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT platform_connections_user_id_platform_pk PRIMARY KEY (user_id, platform)
);

CREATE TABLE queues (
  name text NOT NULL,
  paused boolean DEFAULT false NOT NULL,
  default_max_attempts integer DEFAULT 3 NOT NULL,
  backoff jsonb DEFAULT '{}'::jsonb NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT queues_attempts_check CHECK ((default_max_attempts >= 1)),
  CONSTRAINT queues_pkey PRIMARY KEY (name)
);

CREATE TABLE users (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  username text NOT NULL,
  display_name text NOT NULL,
  time_zone text DEFAULT 'UTC'::text NOT NULL,
  github_private boolean DEFAULT false NOT NULL,
  youtube_private boolean DEFAULT false NOT NULL,
  twitter_private boolean DEFAULT false NOT NULL,
  instagram_private boolean DEFAULT false NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT users_username_check CHECK ((username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$'::text)),
  CONSTRAINT users_pkey PRIMARY KEY (id)
);

-- Indexes

CREATE INDEX job_minute_stats_minute_idx ON public.job_minute_stats USING btree (minute);

CREATE INDEX jobs_browse_dedup_idx ON public.jobs USING btree (dedup_key text_pattern_ops) WHERE ((dedup_key IS NOT NULL) AND (status = ANY (ARRAY['completed'::job_status, 'failed'::job_status, 'cancelled'::job_status, 'paused'::job_status])));

CREATE INDEX jobs_browse_queue_idx ON public.jobs USING btree (queue, status, id) WHERE (status = ANY (ARRAY['completed'::job_status, 'failed'::job_status, 'cancelled'::job_status, 'paused'::job_status]));

CREATE INDEX jobs_browse_user_idx ON public.jobs USING btree (user_id, id) WHERE ((user_id IS NOT NULL) AND (status = ANY (ARRAY['completed'::job_status, 'failed'::job_status, 'cancelled'::job_status, 'paused'::job_status])));

CREATE INDEX jobs_claim_idx ON public.jobs USING btree (priority, COALESCE(turn_at, run_at), id) WHERE ((status = 'pending'::job_status) AND (limit_key IS NULL));

CREATE INDEX jobs_claim_key_idx ON public.jobs USING btree (limit_key, priority, COALESCE(turn_at, run_at), id) WHERE ((status = 'pending'::job_status) AND (limit_key IS NOT NULL));

CREATE INDEX jobs_completed_idx ON public.jobs USING btree (type, completed_at) WHERE (status = 'completed'::job_status);

CREATE INDEX jobs_correlation_idx ON public.jobs USING btree (correlation_id) WHERE (correlation_id IS NOT NULL);

CREATE UNIQUE INDEX jobs_dedup_key_idx ON public.jobs USING btree (dedup_key text_pattern_ops) WHERE ((dedup_key IS NOT NULL) AND (status = ANY (ARRAY['pending'::job_status, 'processing'::job_status, 'paused'::job_status])));

CREATE INDEX jobs_entity_idx ON public.jobs USING btree (entity_type, entity_id) WHERE (entity_id IS NOT NULL);

CREATE INDEX jobs_lease_idx ON public.jobs USING btree (locked_until) WHERE (status = 'processing'::job_status);

CREATE INDEX jobs_owner_turn_idx ON public.jobs USING btree (queue, owner_key, turn_at) WHERE ((status = 'pending'::job_status) AND (owner_key IS NOT NULL));

CREATE INDEX jobs_running_idx ON public.jobs USING btree (limit_key, queue) WHERE (status = 'processing'::job_status);

CREATE INDEX jobs_turn_idx ON public.jobs USING btree (queue, turn_at) WHERE ((status = 'pending'::job_status) AND (turn_at IS NOT NULL));

CREATE INDEX limit_events_key_idx ON public.limit_events USING btree (key, id);

CREATE INDEX platform_connections_enabled_idx ON public.platform_connections USING btree (platform) WHERE enabled;

CREATE UNIQUE INDEX users_username_idx ON public.users USING btree (lower(username));

-- Functions

CREATE OR REPLACE FUNCTION public.steady_claimable(p_now timestamp with time zone, p_limit integer, p_types text[], p_queues text[], p_stage text)
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
 SET enable_bitmapscan TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
 SET max_parallel_workers_per_gather TO '0'
AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION public.steady_fanout_job_id(p_at timestamp with time zone, p_n bigint)
 RETURNS uuid
 LANGUAGE sql
 PARALLEL SAFE
AS $function$
  SELECT encode(
    substring(int8send(floor(extract(epoch FROM p_at) * 1000)::bigint + p_n / 4096) FROM 3)
      || int2send((28672 + p_n % 4096)::int2)
      || substring(uuid_send(gen_random_uuid()) FROM 9),
    'hex')::uuid
$function$;

CREATE OR REPLACE FUNCTION public.steady_jobs_after_delete()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  INSERT INTO job_counts (queue, type, status, n)
  SELECT queue, type, status, -count(*) FROM old_rows GROUP BY queue, type, status;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.steady_jobs_after_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  INSERT INTO job_counts (queue, type, status, n)
  SELECT queue, type, status, count(*) FROM new_rows GROUP BY queue, type, status;
  RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.steady_jobs_after_update()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION public.steady_limit_covers(p_limit text, p_queue text, p_limit_key text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT coalesce(CASE WHEN starts_with(p_limit, 'queue:') THEN substr(p_limit, 7) = p_queue
                       WHEN right(p_limit, 1) = ':' THEN starts_with(p_limit_key, p_limit)
                       ELSE p_limit_key = p_limit END, false)
$function$;

CREATE OR REPLACE FUNCTION public.steady_limit_room(p_key text, p_now timestamp with time zone, p_lock boolean, OUT cap integer, OUT tokens double precision)
 RETURNS record
 LANGUAGE plpgsql
AS $function$
DECLARE
  lim limits%ROWTYPE;
  v_run integer;
BEGIN
  IF p_lock THEN
    SELECT * INTO lim FROM limits WHERE key = p_key FOR UPDATE;
  ELSE
    SELECT * INTO lim FROM limits WHERE key = p_key;
  END IF;
  IF NOT FOUND THEN RETURN; END IF;
  IF lim.cooldown_until IS NOT NULL AND lim.cooldown_until > p_now THEN cap := 0; END IF;
  -- Counted up to the cap only: a key at its cap needs no more of its running jobs read.
  IF lim.concurrency IS NOT NULL THEN
    IF starts_with(lim.key, 'queue:') THEN
      SELECT count(*) INTO v_run FROM (SELECT 1 FROM jobs WHERE status = 'processing' AND queue = substr(lim.key, 7)
                                       LIMIT lim.concurrency) running;
    ELSIF right(lim.key, 1) = ':' THEN
      SELECT count(*) INTO v_run FROM (SELECT 1 FROM jobs
        WHERE status = 'processing' AND limit_key >= lim.key AND limit_key < lim.key || chr(1114111)
        LIMIT lim.concurrency) running;
    ELSE
      SELECT count(*) INTO v_run FROM (SELECT 1 FROM jobs WHERE status = 'processing' AND limit_key = lim.key
                                       LIMIT lim.concurrency) running;
    END IF;
    cap := least(coalesce(cap, lim.concurrency), greatest(lim.concurrency - v_run, 0));
  END IF;
  IF lim.rate IS NOT NULL THEN
    IF lim.refilled_at IS NULL THEN
      tokens := coalesce(lim.burst, greatest(lim.rate, 1));
    ELSE
      tokens := least(coalesce(lim.burst, greatest(lim.rate, 1))::float8,
                      lim.tokens + lim.rate::float8
                        * greatest(extract(epoch FROM p_now - lim.refilled_at) * 1000, 0) / lim.period_ms);
    END IF;
    cap := least(coalesce(cap, floor(tokens)::integer), floor(tokens)::integer);
  END IF;
END
$function$;

CREATE OR REPLACE FUNCTION public.steady_new_job_id()
 RETURNS uuid
 LANGUAGE sql
 PARALLEL SAFE
AS $function$SELECT uuidv7()$function$;

CREATE OR REPLACE FUNCTION public.steady_new_job_id(p_at timestamp with time zone)
 RETURNS uuid
 LANGUAGE sql
 PARALLEL SAFE
AS $function$SELECT uuidv7(p_at - clock_timestamp())$function$;

CREATE OR REPLACE FUNCTION public.steady_take_turn()
 RETURNS trigger
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
 SET enable_bitmapscan TO 'off'
AS $function$
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
$function$;

-- Triggers

CREATE TRIGGER jobs_counts_delete AFTER DELETE ON public.jobs REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION steady_jobs_after_delete();

CREATE TRIGGER jobs_counts_insert AFTER INSERT ON public.jobs REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION steady_jobs_after_insert();

CREATE TRIGGER jobs_counts_update AFTER UPDATE ON public.jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION steady_jobs_after_update();

CREATE TRIGGER jobs_take_turn BEFORE INSERT ON public.jobs FOR EACH ROW WHEN (((new.owner_key IS NOT NULL) AND (new.turn_at IS NULL))) EXECUTE FUNCTION steady_take_turn();

CREATE TRIGGER jobs_turn_follows_run_at BEFORE UPDATE OF run_at ON public.jobs FOR EACH ROW WHEN ((new.owner_key IS NOT NULL)) EXECUTE FUNCTION steady_take_turn();
