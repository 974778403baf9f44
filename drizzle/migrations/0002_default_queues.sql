-- The workloads' queues and their retry policies. ON CONFLICT keeps settings an operator changed.
INSERT INTO queues (name, default_max_attempts, backoff) VALUES
  ('sync', 4, '{"baseMs": 30000, "maxMs": 900000, "factor": 2, "jitter": 0.2, "priorityStep": 1}'),
  ('profile', 3, '{"baseMs": 10000, "maxMs": 600000, "factor": 2, "jitter": 0.2, "priorityStep": 0}'),
  ('pipeline', 3, '{"baseMs": 10000, "maxMs": 600000, "factor": 2, "jitter": 0.2, "priorityStep": 0}'),
  ('jobs', 3, '{"baseMs": 2000, "maxMs": 300000, "factor": 2, "jitter": 0.2, "priorityStep": 0}'),
  ('default', 3, '{}')
ON CONFLICT (name) DO NOTHING;
