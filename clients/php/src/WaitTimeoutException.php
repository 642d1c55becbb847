<?php

declare(strict_types=1);

namespace QueueServer;

/** Client::wait() ran out of time; $job is the job as last seen. */
class WaitTimeoutException extends \RuntimeException
{
    /** @param array<string, mixed> $job */
    public function __construct(public readonly array $job, float $seconds)
    {
        parent::__construct(sprintf('job %d is still %s after %s s', $job['id'], $job['state'], $seconds));
    }
}
