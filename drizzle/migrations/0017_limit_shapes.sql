-- The sync platforms' default limits, reshaped so that no window of the platform's quota can be
-- overrun. A token bucket with burst B and rate R per period W starts at most B + R starts in any
-- stretch of length W, so 0015's buckets (a full burst on top of a full window's rate) could start
-- 5,100 GitHub tasks in an hour that allows 5,000 requests, and 250 Instagram tasks where 200 calls
-- are allowed. Now B + R stays within the quota, fixed-window (GitHub, X, YouTube) and rolling
-- (Instagram) alike, counting the requests a task makes:
-- github:    1 request a task (a day is one page)  → 4,900 an hour + burst 100 = 5,000
-- youtube:   1 unit a task                          → 9,500 a day + burst 500   = 10,000
-- twitter:   2 requests a task (user, timeline)     → 420 per 15 min + burst 30 = 450 tasks = 900 requests
-- instagram: 1 call a task                          → 190 an hour + burst 10    = 200
-- The burst also covers the gap between two cron ticks (a minute): the tokens a minute brings stay
-- below it, so a tick spends a whole minute's worth and the pace is the rate's, 93-98 % of the quota.
-- Only rows still as 0015 left them change; an operator's own values stay.
UPDATE limits SET rate = v.rate, burst = v.burst, tokens = least(coalesce(tokens, v.burst), v.burst)
FROM (VALUES ('github', 5000, 100, 4900, 100), ('youtube', 10000, 500, 9500, 500),
             ('twitter', 900, 100, 420, 30), ('instagram', 200, 50, 190, 10)) AS v(key, old_rate, old_burst, rate, burst)
WHERE limits.key = v.key AND limits.updated_by = 'default' AND limits.rate = v.old_rate AND limits.burst = v.old_burst;
