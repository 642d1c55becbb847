-- A unique key's binding to its job, apart from the job row: a key may be bound again once its job no longer blocks
-- duplicates (it finished, or the key's period ended), and a submit locks this row to decide atomically.
CREATE TABLE queue_unique (
  unique_key      VARCHAR(200) NOT NULL,
  job_id          BIGINT       NOT NULL,
  -- when the key was bound to this job: periods and debounce's max_wait count from here
  bound_at        DATETIME(6)  NOT NULL,
  -- submits the job absorbed as duplicates
  absorbed        INT          NOT NULL DEFAULT 0,
  PRIMARY KEY (unique_key)
);
CREATE INDEX ix_queue_unique_job ON queue_unique (job_id);
INSERT INTO queue_unique (unique_key, job_id, bound_at, absorbed)
  SELECT unique_key, id, time_added, 0 FROM queue_job WHERE unique_key IS NOT NULL;
-- the job row keeps its key for display; uniqueness is the binding's primary key
DROP INDEX ux_queue_job_unique_key ON queue_job;
