<?php

declare(strict_types=1);

namespace QueueServer;

/**
 * A refused request: the server's problem+json answer (RFC 9457) as an exception, or a request that never got an
 * answer (status 0). The message reads like "must use http or https (command.url) [400]".
 */
class QueueException extends \RuntimeException
{
    public const OUTCOME_UNKNOWN = 'urn:queue-server:problem:outcome-unknown';

    public readonly string $type;
    public readonly string $title;
    public readonly string $detail;
    /** The field the problem names, e.g. "command.url". */
    public readonly ?string $field;

    /**
     * @param int $status HTTP status, 0 when the server could not be reached
     * @param array<string, mixed> $problem the problem document
     * @param int|null $retryAfter seconds the server asked to wait before trying again (429, 503)
     */
    public function __construct(
        public readonly int $status,
        public readonly array $problem,
        public readonly ?int $retryAfter = null,
        ?\Throwable $previous = null,
    ) {
        $this->type = is_string($problem['type'] ?? null) ? $problem['type'] : 'about:blank';
        $this->title = is_string($problem['title'] ?? null) ? $problem['title'] : '';
        $this->detail = is_string($problem['detail'] ?? null) ? $problem['detail']
            : ($this->title !== '' ? $this->title : "HTTP $status");
        $this->field = is_string($problem['field'] ?? null) ? $problem['field'] : null;
        parent::__construct($this->detail . ($this->field !== null ? " ({$this->field})" : '')
            . ($status !== 0 ? " [$status]" : ''), $status, $previous);
    }

    /** The server cannot tell whether the change was committed: resend with the same Idempotency-Key. */
    public function outcomeUnknown(): bool
    {
        return $this->type === self::OUTCOME_UNKNOWN;
    }
}
