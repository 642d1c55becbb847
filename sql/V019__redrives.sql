-- A key's default retry policy (the "retry" of its flow-control rule, JSON text), applied when its jobs are claimed.
ALTER TABLE queue_limit ADD COLUMN retry_policy VARCHAR(2000);

-- Redrives: failed jobs matching a filter go back to waiting at a bounded rate. Nodes take turns on a redrive by
-- locking its row for one batch; last_job_id is how far it got (jobs are taken in id order, up to max_job_id, the
-- newest job when it was created), so a node's death loses nothing and no job is redriven twice.
CREATE TABLE queue_redrive (
  id              BIGINT        NOT NULL AUTO_INCREMENT,
  -- running, done, cancelled
  state           VARCHAR(16)   NOT NULL,
  filter_json     VARCHAR(2000) NOT NULL,
  rate            VARCHAR(20)   NOT NULL,
  -- what is changed in the redriven http jobs (url, headers, body or json; secrets sealed), or NULL
  override_json   LONGTEXT,
  matched         BIGINT        NOT NULL,
  redriven        BIGINT        NOT NULL DEFAULT 0,
  skipped         BIGINT        NOT NULL DEFAULT 0,
  last_job_id     BIGINT        NOT NULL DEFAULT 0,
  max_job_id      BIGINT        NOT NULL,
  created_by      VARCHAR(200)  NOT NULL,
  created_at      DATETIME(6)   NOT NULL,
  finished_at     DATETIME(6),
  -- why the last skipped job was not redriven
  error           VARCHAR(2000),
  PRIMARY KEY (id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_queue_redrive_state ON queue_redrive (state, id);
