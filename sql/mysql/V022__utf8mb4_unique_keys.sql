-- The unique keys in utf8mb4 whatever the server's default character set.
ALTER TABLE queue_unique CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
