-- Queue Server schema, version 1. Runs on MySQL 8 / MariaDB 10.6+ and on the embedded H2 (MODE=MySQL).
-- Times are UTC, DATETIME(6); every lease and schedule comparison is made in SQL on the database clock.

CREATE TABLE queue_job (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  -- JobState codes: 0 waiting, 1 working, 3 done, 4 cancelled, 5 scheduled, 99 failed
  state           SMALLINT     NOT NULL,
  priority        INT          NOT NULL,
  context         VARCHAR(100) NOT NULL,
  type            VARCHAR(64)  NOT NULL,
  -- the job as submitted (JSON text, unknown fields kept)
  payload         LONGTEXT     NOT NULL,
  unique_key      VARCHAR(200),
  run_at          DATETIME(6)  NOT NULL,
  time_added      DATETIME(6)  NOT NULL,
  time_started    DATETIME(6),
  time_completed  DATETIME(6),
  attempt         INT          NOT NULL DEFAULT 0,
  max_attempts    INT          NOT NULL DEFAULT 1,
  rescues         INT          NOT NULL DEFAULT 0,
  owner           VARCHAR(100),
  lease_until     DATETIME(6),
  return_code     INT,
  output          LONGTEXT,
  error           VARCHAR(2000),
  progress        SMALLINT,
  progress_message VARCHAR(500),
  PRIMARY KEY (id)
);

-- the claim: WHERE state = 0 ORDER BY priority DESC, id LIMIT n FOR UPDATE SKIP LOCKED
CREATE INDEX ix_queue_job_claim ON queue_job (state, priority DESC, id);
-- promotion of scheduled jobs, lease expiry, retention
CREATE INDEX ix_queue_job_state_run_at ON queue_job (state, run_at);
CREATE INDEX ix_queue_job_state_lease ON queue_job (state, lease_until);
CREATE INDEX ix_queue_job_state_completed ON queue_job (state, time_completed);
CREATE INDEX ix_queue_job_context ON queue_job (context, state);
CREATE UNIQUE INDEX ux_queue_job_unique_key ON queue_job (unique_key);

-- callback outbox: written in the same transaction as the job's final state, delivered and retried afterwards
CREATE TABLE queue_callback (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  job_id          BIGINT       NOT NULL,
  kind            VARCHAR(16)  NOT NULL,
  -- 0 pending, 1 sending, 3 delivered, 99 given up
  state           SMALLINT     NOT NULL,
  webhook_id      VARCHAR(64)  NOT NULL,
  command         LONGTEXT     NOT NULL,
  body            LONGTEXT     NOT NULL,
  attempts        INT          NOT NULL DEFAULT 0,
  next_at         DATETIME(6)  NOT NULL,
  owner           VARCHAR(100),
  lease_until     DATETIME(6),
  return_code     INT,
  error           VARCHAR(2000),
  time_added      DATETIME(6)  NOT NULL,
  time_delivered  DATETIME(6),
  PRIMARY KEY (id)
);

CREATE INDEX ix_queue_callback_due ON queue_callback (state, next_at);
CREATE INDEX ix_queue_callback_job ON queue_callback (job_id);
