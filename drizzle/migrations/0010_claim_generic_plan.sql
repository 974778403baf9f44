-- steady_claimable's query was planned afresh on every call. Its plan is cached, but with the limit
-- and the filters as parameters the cache priced the generic plan above the custom ones (a LIMIT of
-- unknown size is costed as a tenth of the table) and so kept making custom ones: a quarter of a
-- millisecond per claim, measured with pgbench, more than the query itself. With the SET clauses of
-- migration 0005 the generic plan has the one shape a claim should have (walk jobs_claim_idx, stop at
-- the limit), so it is used from the first call.
ALTER FUNCTION steady_claimable(timestamptz, integer, text[], text[], text) SET plan_cache_mode = force_generic_plan;
