-- A target may snooze a job from its answer (Queue-Snooze): it runs again later without using an attempt; the
-- number of snoozes is bounded (QUEUE_MAX_SNOOZES).
ALTER TABLE queue_job ADD COLUMN snoozes INT NOT NULL DEFAULT 0;
