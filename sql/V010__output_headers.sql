-- Response headers of an http job's last attempt, kept alongside its capped output (JSON object text).
ALTER TABLE queue_job ADD COLUMN output_headers LONGTEXT;
