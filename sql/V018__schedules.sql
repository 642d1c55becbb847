-- Schedules: cron expressions that fire jobs. A firing is a job plus a row of queue_schedule_run keyed by
-- (schedule, fire time), inserted in one transaction: two nodes can never both fire one tick.
-- utf8mb4 whatever the server's default character set, and names that compare exactly (Nightly and nightly are two
-- schedules, as on the embedded database, which ignores these options).
CREATE TABLE queue_schedule (
  name            VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  cron            VARCHAR(200) NOT NULL,
  timezone        VARCHAR(64)  NOT NULL,
  -- the job template: the stored payload and the fields read from it (JSON text)
  job             LONGTEXT     NOT NULL,
  context         VARCHAR(100) NOT NULL,
  -- allow, skip, cancel_previous
  overlap         VARCHAR(16)  NOT NULL,
  -- skip, run_once, run_all
  missed          VARCHAR(16)  NOT NULL,
  missed_cap      INT          NOT NULL,
  start_at        DATETIME(6),
  end_at          DATETIME(6),
  paused          SMALLINT     NOT NULL DEFAULT 0,
  -- the next tick to fire (UTC); NULL while paused and after end_at
  next_fire_at    DATETIME(6),
  last_fire_at    DATETIME(6),
  last_outcome    VARCHAR(16),
  last_job_id     BIGINT,
  -- the declaration (QUEUE_SCHEDULES, QUEUE_SCHEDULES_FILE) last applied to this schedule, as a digest
  declared        VARCHAR(64),
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- every node looks for due schedules a few times a second: one index range, empty when nothing is due
CREATE INDEX ix_queue_schedule_due ON queue_schedule (next_fire_at);

CREATE TABLE queue_schedule_run (
  schedule_name   VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  -- the tick (UTC), or the moment of a run asked for through POST /schedules/{name}/run
  fire_at         DATETIME(6)  NOT NULL,
  -- 0 a tick of the cron expression, 1 a run asked for
  manual          SMALLINT     NOT NULL,
  -- fired, caught_up (a missed tick run after downtime), skipped (the previous job was still unfinished)
  outcome         VARCHAR(16)  NOT NULL,
  job_id          BIGINT,
  detail          VARCHAR(500),
  fired_at        DATETIME(6)  NOT NULL,
  PRIMARY KEY (schedule_name, fire_at, manual)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- pruning with the jobs (QUEUE_RETENTION)
CREATE INDEX ix_queue_schedule_run_fired ON queue_schedule_run (fired_at);
