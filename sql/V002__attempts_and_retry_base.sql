-- Attempt history (start, end, outcome, error of every attempt) and manual retries.

CREATE TABLE queue_attempt (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  job_id          BIGINT       NOT NULL,
  attempt         INT          NOT NULL,
  owner           VARCHAR(100),
  started_at      DATETIME(6),
  finished_at     DATETIME(6)  NOT NULL,
  -- done, failed, retry, rescued, poisoned, cancelled
  outcome         VARCHAR(16)  NOT NULL,
  return_code     INT,
  error           VARCHAR(2000),
  PRIMARY KEY (id)
);

CREATE INDEX ix_queue_attempt_job ON queue_attempt (job_id, attempt);

-- attempts made before the last manual retry: a retried job gets max_attempts fresh attempts
ALTER TABLE queue_job ADD COLUMN retry_base INT NOT NULL DEFAULT 0;

-- heartbeat: the jobs a node owns
CREATE INDEX ix_queue_job_owner ON queue_job (owner, state);
