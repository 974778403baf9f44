-- Default limits for the sync workload's platform keys, shaped like each API's published limits.
-- Sync tasks make one request per page (usually one), so a start stands for about one request.
-- Rows an operator has changed are left alone; edit them at run time (PUT /api/limits/<key>).
-- github: 5,000 requests an hour per token, and GitHub asks integrations to make a user's requests
--         one at a time, not concurrently.
-- youtube: 10,000 quota units a day; the list calls used here cost 1 unit each.
-- twitter: 900 user-timeline requests per 15-minute window (user context).
-- instagram: Graph API, 200 calls an hour per user token.
INSERT INTO limits (key, concurrency, rate, period_ms, burst, tokens, updated_by) VALUES
  ('github', 1, 5000, 3600000, 100, 100, 'default'),
  ('youtube', 4, 10000, 86400000, 500, 500, 'default'),
  ('twitter', 4, 900, 900000, 100, 100, 'default'),
  ('instagram', 4, 200, 3600000, 50, 50, 'default')
ON CONFLICT (key) DO NOTHING;
