-- Batches (and workflows, which are batches whose jobs depend on each other) with their callbacks, and job
-- dependencies. The counters are kept by the transactions that end the batch's jobs: a callback fires in the same
-- transaction as the job end that completes it, exactly once.
CREATE TABLE queue_batch (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  -- batch or workflow
  kind            VARCHAR(16)  NOT NULL,
  context         VARCHAR(100) NOT NULL,
  -- 1 while jobs may be added
  is_open         SMALLINT     NOT NULL,
  total           INT          NOT NULL DEFAULT 0,
  -- jobs that have reached a final state at least once
  settled         INT          NOT NULL DEFAULT 0,
  done            INT          NOT NULL DEFAULT 0,
  failed          INT          NOT NULL DEFAULT 0,
  -- {"on_success": {...}, "on_complete": {...}, "on_failure": {...}} as submitted
  callbacks       LONGTEXT     NOT NULL,
  created_at      DATETIME(6)  NOT NULL,
  closed_at       DATETIME(6),
  success_at      DATETIME(6),
  complete_at     DATETIME(6),
  failure_at      DATETIME(6),
  PRIMARY KEY (id)
);

ALTER TABLE queue_job ADD COLUMN batch_id BIGINT;
-- 1 once the job has counted in its batch's settled
ALTER TABLE queue_job ADD COLUMN batch_settled SMALLINT NOT NULL DEFAULT 0;
-- how many jobs depend on this one: its end looks for them only when there are any
ALTER TABLE queue_job ADD COLUMN dependents INT NOT NULL DEFAULT 0;
CREATE INDEX ix_queue_job_batch ON queue_job (batch_id, state);

-- job_id runs only when parent_id has ended; policy: 0 fail, 1 skip, 2 continue when the parent did not succeed
CREATE TABLE queue_dependency (
  parent_id       BIGINT       NOT NULL,
  job_id          BIGINT       NOT NULL,
  -- the parent's name in the child's placeholders (the workflow's job name, or the parent's id)
  name            VARCHAR(100) NOT NULL,
  policy          SMALLINT     NOT NULL,
  PRIMARY KEY (parent_id, job_id)
);
CREATE INDEX ix_queue_dependency_job ON queue_dependency (job_id);

-- a batch's callbacks go through the callback outbox like a job's
ALTER TABLE queue_callback ADD COLUMN batch_id BIGINT;
CREATE INDEX ix_queue_callback_batch ON queue_callback (batch_id);

-- state 7: blocked, waiting for its dependencies
INSERT INTO queue_count (bucket, state, n)
  SELECT b.b, 7, 0 FROM (SELECT 0 AS b UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
  UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10
  UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15) b;
