-- Circuit breakers per target host (QUEUE_BREAKER), shared by every node: a host that failed too many recent
-- requests is open until open_until; then one node takes the probe (half_open, probe_owner, until probe_until)
-- and closes or opens it again with the probe's outcome. Closed hosts keep their row (how often it opened).
CREATE TABLE queue_breaker (
  host            VARCHAR(255)  NOT NULL,
  -- open, half_open, closed
  state           VARCHAR(16)   NOT NULL,
  open_until      DATETIME(6),
  probe_owner     VARCHAR(100),
  probe_until     DATETIME(6),
  reason          VARCHAR(500),
  opened          INT           NOT NULL DEFAULT 0,
  updated_at      DATETIME(6)   NOT NULL,
  PRIMARY KEY (host)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- attempt outcomes up to paused_by_breaker
ALTER TABLE queue_attempt MODIFY COLUMN outcome VARCHAR(32) NOT NULL;
