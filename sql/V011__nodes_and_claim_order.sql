-- Node heartbeats (rescue tells a dead node from a database that was away for everyone), installation settings,
-- and a claim index that needs no descending index support: MariaDB before 10.8 ignores DESC in indexes.

CREATE TABLE queue_node (
  id              VARCHAR(100) NOT NULL,
  started_at      DATETIME(6)  NOT NULL,
  heartbeat_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id)
);

-- installation_id: generated once, carried by every data-grid message so installations never act on each other's
CREATE TABLE queue_setting (
  setting_name    VARCHAR(100) NOT NULL,
  setting_value   VARCHAR(2000) NOT NULL,
  PRIMARY KEY (setting_name)
);

-- job ids are handed out in blocks per node (JPA batch inserts need the id before the INSERT)
CREATE TABLE queue_sequence (
  name            VARCHAR(100) NOT NULL,
  next_value      BIGINT       NOT NULL,
  PRIMARY KEY (name)
);
INSERT INTO queue_sequence (name, next_value) SELECT 'job', COALESCE(MAX(id), 0) + 1 FROM queue_job;

-- claim order: higher priority first, then the job that became due first
ALTER TABLE queue_job ADD COLUMN neg_priority INT NOT NULL DEFAULT 0;
UPDATE queue_job SET neg_priority = -priority;
DROP INDEX ix_queue_job_claim ON queue_job;
CREATE INDEX ix_queue_job_claim ON queue_job (state, neg_priority, run_at, id);

-- fewer secondary indexes to rewrite on every state change: leases and owners are read through the claim index
-- (working rows are few); the context filter lists by id and never changes with the state
DROP INDEX ix_queue_job_state_lease ON queue_job;
DROP INDEX ix_queue_job_owner ON queue_job;
DROP INDEX ix_queue_job_context ON queue_job;
CREATE INDEX ix_queue_job_context ON queue_job (context, id);
