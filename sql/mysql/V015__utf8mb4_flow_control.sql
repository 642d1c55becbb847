-- The flow-control tables in utf8mb4 whatever the server's default character set.
ALTER TABLE queue_limit CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE queue_bucket CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
