-- Time-ordered job ids (UUIDv7) for rows created in SQL (enqueueFromSelect, seeds); enqueueJobs makes
-- the same in TypeScript. Consecutive ids land on the same primary-key leaf instead of a random one,
-- which makes large fan-outs and every later status change cheaper. PostgreSQL 18 has uuidv7()
-- built in; older servers get the same layout from gen_random_uuid() with the clock in front.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'uuidv7' AND pronargs = 0) THEN
    CREATE OR REPLACE FUNCTION steady_new_job_id() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
      AS 'SELECT uuidv7()';
  ELSE
    CREATE OR REPLACE FUNCTION steady_new_job_id() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
      AS $f$
        SELECT encode(set_bit(set_bit(
          overlay(uuid_send(gen_random_uuid())
                  placing substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                  FROM 1 FOR 6),
          52, 1), 53, 1), 'hex')::uuid
      $f$;
  END IF;
END $$;
