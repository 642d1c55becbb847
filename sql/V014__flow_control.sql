-- Flow control: every job has a concurrency key (its context unless given); limits, rate limits, pauses and
-- backlog caps per key, key pattern (ending in '*'), context ('context:<name>'), target host ('host:<name>') or the
-- whole queue ('*'); token buckets of the rate limits, shared by all nodes.
ALTER TABLE queue_job ADD COLUMN concurrency_key VARCHAR(200) NOT NULL DEFAULT '';
UPDATE queue_job SET concurrency_key = context;

-- claims take each key's jobs in priority order, keys round-robin; the same index counts a key's running jobs
DROP INDEX ix_queue_job_claim ON queue_job;
CREATE INDEX ix_queue_job_claim ON queue_job (state, concurrency_key, neg_priority, run_at, id);

CREATE TABLE queue_limit (
  limit_key       VARCHAR(210) NOT NULL,
  concurrency     INT,
  -- one or more rates, e.g. '10/s,1000/h'
  rates           VARCHAR(200),
  burst           INT,
  paused          SMALLINT     NOT NULL DEFAULT 0,
  max_backlog     BIGINT,
  weight          INT,
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (limit_key)
);

-- one bucket per rule and rate, and per key for a pattern's rate (each matching key has its own)
CREATE TABLE queue_bucket (
  bucket_key      VARCHAR(500) NOT NULL,
  tokens          DOUBLE       NOT NULL,
  refilled_at     DATETIME(6)  NOT NULL,
  PRIMARY KEY (bucket_key)
);
