-- The batch and dependency tables in utf8mb4 whatever the server's default character set.
ALTER TABLE queue_batch CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER TABLE queue_dependency CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
