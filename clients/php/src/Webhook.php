<?php

declare(strict_types=1);

namespace QueueServer;

require_once __DIR__ . '/WebhookVerificationException.php';

/**
 * The receiving side of Queue Server's callbacks, signed per Standard Webhooks (https://www.standardwebhooks.com/):
 * webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">.
 *
 *     $body = (new Webhook(getenv('QUEUE_CALLBACK_SECRET')))->verifyRequest();   // throws when not genuine
 *
 * The secret is the server's QUEUE_CALLBACK_SECRET: "whsec_<base64>" is base64-decoded, any other text is used as
 * it is (the server's rule).
 */
final class Webhook
{
    private string $key;

    /** @param int $tolerance seconds a timestamp may be off this machine's clock */
    public function __construct(string $secret, private int $tolerance = 300)
    {
        if ($secret === '') {
            throw new \InvalidArgumentException('a webhook secret is required');
        }
        if (str_starts_with($secret, 'whsec_')) {
            $key = base64_decode(substr($secret, 6), true);
            if ($key === false || $key === '') {
                throw new \InvalidArgumentException('a whsec_ secret must be base64 after its prefix');
            }
            $this->key = $key;
        } else {
            $this->key = $secret;
        }
    }

    /** The signature header value for a body, as the server computes it. */
    public function sign(string $id, int $timestamp, string $payload): string
    {
        return 'v1,' . base64_encode($this->digest($id, $timestamp, $payload));
    }

    /**
     * Checks a received callback and returns its body: decoded to arrays when it is JSON, else the text.
     *
     * @param string $payload the raw body, exactly as received
     * @param array<string, string|string[]> $headers in any case, or as $_SERVER has them (HTTP_WEBHOOK_ID)
     * @param int|null $now the receiver's time in seconds (default: the clock)
     * @throws WebhookVerificationException
     */
    public function verify(string $payload, array $headers, ?int $now = null): mixed
    {
        $id = self::header($headers, 'webhook-id');
        $timestamp = self::header($headers, 'webhook-timestamp');
        $signatures = self::header($headers, 'webhook-signature');
        if ($id === null || $timestamp === null || $signatures === null) {
            throw new WebhookVerificationException('missing webhook-id, webhook-timestamp or webhook-signature header');
        }
        if (preg_match('/^\d{1,15}$/', $timestamp) !== 1) {
            throw new WebhookVerificationException('webhook-timestamp is not a number of seconds');
        }
        $seconds = (int) $timestamp;
        $now ??= time();
        if (abs($now - $seconds) > $this->tolerance) {
            throw new WebhookVerificationException(sprintf('webhook-timestamp is %d s off this clock (tolerance %d s)',
                $now - $seconds, $this->tolerance));
        }
        $expected = $this->digest($id, $seconds, $payload);
        $matches = false;
        foreach (explode(' ', $signatures) as $entry) {
            [$version, $signature] = array_pad(explode(',', $entry, 2), 2, '');
            $given = base64_decode($signature, true);
            // hash_equals compares in constant time; every entry is compared, so the position of a match shows nothing
            $matches = ($version === 'v1' && $given !== false && hash_equals($expected, $given)) || $matches;
        }
        if (!$matches) {
            throw new WebhookVerificationException('no webhook-signature matches the body');
        }
        try {
            return json_decode($payload, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            return $payload;
        }
    }

    /** verify() of the request this PHP process is serving (php://input, $_SERVER). */
    public function verifyRequest(?int $now = null): mixed
    {
        return $this->verify((string) file_get_contents('php://input'), $_SERVER, $now);
    }

    private function digest(string $id, int $timestamp, string $payload): string
    {
        return hash_hmac('sha256', "$id.$timestamp.$payload", $this->key, true);
    }

    /** @param array<string, mixed> $headers */
    private static function header(array $headers, string $name): ?string
    {
        $server = 'HTTP_' . strtoupper(str_replace('-', '_', $name));
        foreach ($headers as $key => $value) {
            if (is_string($key) && (strcasecmp($key, $name) === 0 || $key === $server)) {
                return is_array($value) ? implode(' ', $value) : (string) $value;
            }
        }
        return null;
    }
}
