<?php

// The receiving application of the tests, served by `php -S`: answers jobs ("received <method> <uri> <body>";
// /broken answers 500), checks every callback as a PHP application would (Webhook::verifyRequest) and appends
// each request, with the outcome of that check, to the file RECEIVER_LOG.

declare(strict_types=1);

require_once __DIR__ . '/../src/Webhook.php';

$body = (string) file_get_contents('php://input');
$verified = null;
if (isset($_SERVER['HTTP_WEBHOOK_ID'])) {
    try {
        $verified = ['body' => (new QueueServer\Webhook(getenv('QUEUE_TEST_CALLBACK_SECRET')))->verifyRequest()];
    } catch (QueueServer\WebhookVerificationException $e) {
        $verified = ['error' => $e->getMessage()];
    }
}
file_put_contents(getenv('RECEIVER_LOG'), json_encode([
    'method' => $_SERVER['REQUEST_METHOD'],
    'uri' => $_SERVER['REQUEST_URI'],
    'headers' => array_change_key_case(getallheaders(), CASE_LOWER),
    'body' => base64_encode($body),
    'verified' => $verified,
], JSON_UNESCAPED_SLASHES) . "\n", FILE_APPEND | LOCK_EX);

if (str_starts_with($_SERVER['REQUEST_URI'], '/broken')) {
    http_response_code(500);
    echo 'broken';
    return;
}
header('Content-Type: text/plain');
echo "received {$_SERVER['REQUEST_METHOD']} {$_SERVER['REQUEST_URI']} $body";
