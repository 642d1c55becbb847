<?php

// Standard Webhooks verification on its own: signatures computed here with hash_hmac, as the server does.

declare(strict_types=1);

use QueueServer\Webhook;
use QueueServer\WebhookVerificationException;

const KEY = 'a secret of thirty-two bytes....';
const NOW = 1767225600;
const BODY = '{"id":42,"state":"done","worker_status":3,"context":"mailing","return_code":200,"output":"ok","error":null}';

function signature(string $key, string $id, int $timestamp, string $body): string
{
    return 'v1,' . base64_encode(hash_hmac('sha256', "$id.$timestamp.$body", $key, true));
}

/** @return array<string, string> */
function signed(array $overrides = []): array
{
    return $overrides + ['webhook-id' => 'msg_1', 'webhook-timestamp' => (string) NOW,
        'webhook-signature' => signature(KEY, 'msg_1', NOW, BODY)];
}

function webhook(int $tolerance = 300): Webhook
{
    return new Webhook('whsec_' . base64_encode(KEY), $tolerance);
}

return [
    'verifies a signed body and returns it decoded' => function () {
        same(json_decode(BODY, true), webhook()->verify(BODY, signed(), NOW));
    },
    'signs as the server does' => function () {
        same(signed()['webhook-signature'], webhook()->sign('msg_1', NOW, BODY));
    },
    'a body that is not JSON comes back as text' => function () {
        $text = 'plain text, not JSON: ü';
        same($text, webhook()->verify($text, signed(['webhook-signature' => signature(KEY, 'msg_1', NOW, $text)]), NOW));
    },
    'a secret without whsec_ is used as text, as the server uses it' => function () {
        $headers = signed(['webhook-signature' => signature('plain secret', 'msg_1', NOW, BODY)]);
        same(42, (new Webhook('plain secret'))->verify(BODY, $headers, NOW)['id']);
        throws(WebhookVerificationException::class, fn () => webhook()->verify(BODY, $headers, NOW));
        throws(InvalidArgumentException::class, fn () => new Webhook('whsec_not base64!'));
        throws(InvalidArgumentException::class, fn () => new Webhook(''));
    },
    'accepts any one of several signatures, and ignores other versions' => function () {
        $other = signature('rotated-out key', 'msg_1', NOW, BODY);
        $headers = signed(['webhook-signature' => "$other v2,abc " . signed()['webhook-signature']]);
        same(42, webhook()->verify(BODY, $headers, NOW)['id']);
        $e = throws(WebhookVerificationException::class,
            fn () => webhook()->verify(BODY, signed(['webhook-signature' => "$other v2,abc"]), NOW));
        same('no webhook-signature matches the body', $e->getMessage());
    },
    'refuses a changed body, id or timestamp' => function () {
        throws(WebhookVerificationException::class, fn () => webhook()->verify(str_replace('done', 'fail', BODY), signed(), NOW));
        throws(WebhookVerificationException::class, fn () => webhook()->verify(BODY, signed(['webhook-id' => 'msg_2']), NOW));
        throws(WebhookVerificationException::class,
            fn () => webhook()->verify(BODY, signed(['webhook-timestamp' => (string) (NOW + 1)]), NOW));
    },
    'refuses timestamps outside the tolerance, either way' => function () {
        same(42, webhook(60)->verify(BODY, signed(), NOW + 60)['id']);
        same(42, webhook(60)->verify(BODY, signed(), NOW - 60)['id']);
        matches('/off this clock/', throws(WebhookVerificationException::class, fn () => webhook(60)->verify(BODY, signed(), NOW + 61))->getMessage());
        matches('/off this clock/', throws(WebhookVerificationException::class, fn () => webhook(60)->verify(BODY, signed(), NOW - 61))->getMessage());
        matches('/not a number/', throws(WebhookVerificationException::class,
            fn () => webhook()->verify(BODY, signed(['webhook-timestamp' => '1e9']), NOW))->getMessage());
    },
    'finds the headers in any case, as $_SERVER has them, and as arrays' => function () {
        $headers = signed();
        unset($headers['webhook-signature']);
        matches('/missing/', throws(WebhookVerificationException::class, fn () => webhook()->verify(BODY, $headers, NOW))->getMessage());
        $upper = array_change_key_case(signed(), CASE_UPPER);
        same(42, webhook()->verify(BODY, $upper, NOW)['id']);
        $server = ['HTTP_WEBHOOK_ID' => 'msg_1', 'HTTP_WEBHOOK_TIMESTAMP' => (string) NOW,
            'HTTP_WEBHOOK_SIGNATURE' => signed()['webhook-signature'], 'REQUEST_TIME' => NOW];
        same(42, webhook()->verify(BODY, $server, NOW)['id']);
        $psr7 = array_map(fn ($value) => [$value], signed());
        same(42, webhook()->verify(BODY, $psr7, NOW)['id']);
    },
    'refuses a signature of another length or not base64' => function () {
        throws(WebhookVerificationException::class, fn () => webhook()->verify(BODY, signed(['webhook-signature' => 'v1,c2hvcnQ=']), NOW));
        throws(WebhookVerificationException::class, fn () => webhook()->verify(BODY, signed(['webhook-signature' => 'v1,!!!']), NOW));
    },
];
