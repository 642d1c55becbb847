-- Jobs per state, kept by the transactions that add, move or remove jobs: counting never scans the job table.
-- Each state has 16 rows (buckets) that transactions pick at random, so concurrent ones rarely wait for each other.
CREATE TABLE queue_count (
  bucket          INT          NOT NULL,
  state           SMALLINT     NOT NULL,
  n               BIGINT       NOT NULL,
  PRIMARY KEY (bucket, state)
);
INSERT INTO queue_count (bucket, state, n)
  SELECT b.b, s.s, 0 FROM (SELECT 0 AS b UNION ALL SELECT 1 AS b UNION ALL SELECT 2 AS b UNION ALL SELECT 3 AS b UNION ALL SELECT 4 AS b UNION ALL SELECT 5 AS b UNION ALL SELECT 6 AS b UNION ALL SELECT 7 AS b UNION ALL SELECT 8 AS b UNION ALL SELECT 9 AS b UNION ALL SELECT 10 AS b UNION ALL SELECT 11 AS b UNION ALL SELECT 12 AS b UNION ALL SELECT 13 AS b UNION ALL SELECT 14 AS b UNION ALL SELECT 15 AS b) b CROSS JOIN (SELECT 0 AS s UNION ALL SELECT 1 AS s UNION ALL SELECT 3 AS s UNION ALL SELECT 4 AS s UNION ALL SELECT 5 AS s UNION ALL SELECT 99 AS s) s;
UPDATE queue_count SET n = (SELECT COUNT(*) FROM queue_job j WHERE j.state = queue_count.state) WHERE bucket = 0;

-- the job list filtered by state, newest first, pages by id
CREATE INDEX ix_queue_job_state_id ON queue_job (state, id);
