<?php

// The client against a real Queue Server (see support.php): every call goes over HTTP to the server, which runs the
// jobs against real local HTTP servers (the build's recording target, and php -S) and signs its callbacks.

declare(strict_types=1);

use QueueServer\Client;
use QueueServer\QueueException;
use QueueServer\WaitTimeoutException;
use QueueServer\Webhook;
use QueueServer\WebhookVerificationException;

require_once __DIR__ . '/support.php';

$env = server();
$queue = client();
$context = uniqueContext('php');
$receiver = Receiver::shared();
$http = fn (string $url, array $more = []) => ['command' => ['type' => 'http', 'url' => $url]] + $more + ['context' => $context];

return [
    'submit sends every option; the target receives the request and the job keeps them' => function () use ($env, $queue, $context, $receiver) {
        $runAt = new DateTimeImmutable('+1 hour');
        $job = $queue->submit([
            'command' => ['type' => 'http', 'url' => "{$env['target']}/php/submit", 'method' => 'POST',
                'headers' => ['X-Client' => 'php'], 'params' => ['page' => 2], 'json' => ['hello' => 'target'],
                'timeout' => 20],
            'priority' => 4711,
            'context' => $context,
            'concurrency_key' => "$context-key",
            'run_at' => $runAt,
            'max_attempts' => 3,
            'backoff' => ['min' => 0.2, 'max' => 1, 'multiplier' => 2],
            'max_retry_duration' => 60,
            'expires_in' => 7200,
            'unique_key' => "$context-unique",
            'callback_done' => ['type' => 'http', 'url' => $receiver->url('/callback/submit'), 'method' => 'POST'],
        ]);
        same('scheduled', $job['state']);
        same(4711, $job['priority']);
        same($context, $job['context']);
        same("$context-key", $job['concurrency_key']);
        same("$context-unique", $job['unique_key']);
        same(3, $job['max_attempts']);
        same(7200, $job['job']['expires_in']);
        same(['min' => 0.2, 'max' => 1, 'multiplier' => 2], $job['job']['backoff']);
        same($runAt->format('U.v'), (new DateTimeImmutable($job['run_at']))->format('U.v'), 'run_at');

        same('done', $queue->run($job['id'])['state']); // now rather than in an hour
        $done = $queue->wait($job['id'], 30);
        same('done', $done['state'], json_encode($done));
        same(200, $done['return_code']);
        matches('{"path":"/php/submit"}', $done['output']); // the recording target's answer; ClientsIT checks what it got
        same('POST', $receiver->request('/callback/submit')['method']);

        $again = $queue->submit(['command' => ['type' => 'http', 'url' => "{$env['target']}/php/other"],
            'context' => $context, 'unique_key' => "$context-unique"]);
        same($job['id'], $again['id'], 'the unique key returns the first job');
    },

    'an Idempotency-Key returns the first job' => function () use ($env, $queue, $context, $http) {
        $first = $queue->submit($http("{$env['target']}/php/idempotent"), idempotencyKey: "$context-idempotent");
        $second = $queue->submit($http("{$env['target']}/php/idempotent"), idempotencyKey: "$context-idempotent");
        same($first['id'], $second['id']);
    },

    'an exec command runs on the server' => function () use ($queue, $context) {
        $job = $queue->submit(['command' => ['type' => 'exec', 'argv' => ['/bin/echo', 'hello from', '__JOBID__']],
            'context' => $context], wait: 30);
        same('done', $job['state'], json_encode($job));
        same(0, $job['return_code']);
        same("hello from {$job['id']}", trim($job['output']));
    },

    'submit with wait answers the finished job' => function () use ($queue, $receiver, $http) {
        $job = $queue->submit($http($receiver->url('/slow')), wait: 30);
        same('done', $job['state']);
        matches('{^received GET /slow}', $job['output']);
    },

    'a batch is stored in one go' => function () use ($env, $queue, $http) {
        $jobs = $queue->submitBatch(array_map(fn ($n) => $http("{$env['target']}/php/batch?n=$n"), [1, 2, 3]));
        same(3, count($jobs));
        foreach ($jobs as $job) {
            same('done', $queue->wait($job['id'], 30)['state']);
        }
    },

    "the original's /jobs/add and /jobs/status/{id}" => function () use ($env, $queue, $http) {
        $id = $queue->add($http("{$env['target']}/php/compat"));
        $queue->wait($id, 30);
        $status = $queue->status($id);
        same($id, $status['id']);
        same(3, $status['worker_status']);
        same('done', $status['state']);
    },

    'status without an id is the counters; get has attempts and callbacks' => function () use ($env, $queue, $receiver, $http) {
        $counters = $queue->status();
        foreach (['all_jobs', 'waiting', 'working', 'done', 'failed', 'max_threads', 'free_threads'] as $name) {
            ok(is_int($counters[$name]), $name);
        }
        $job = $queue->submit($http("{$env['target']}/php/get", ['callback_done' =>
            ['type' => 'http', 'url' => $receiver->url('/callback/get'), 'method' => 'POST']]), wait: 30);
        $receiver->request('/callback/get');
        $full = $queue->get($job['id']);
        same(1, count($full['attempts']));
        same('done', $full['attempts'][0]['outcome']);
        same('callback_done', $full['callbacks'][0]['kind']);
    },

    'wait gives up after its timeout with the job as last seen' => function () use ($env, $queue, $http) {
        $job = $queue->submit($http("{$env['target']}/php/later", ['delay' => 3600]));
        $started = microtime(true);
        $e = throws(WaitTimeoutException::class, fn () => $queue->wait($job['id'], 1.5));
        $took = microtime(true) - $started;
        same($job['id'], $e->job['id']);
        same('scheduled', $e->job['state']);
        ok($took >= 1.4 && $took < 10, "took $took s");
        echo '  wait used ', $queue->waitRoute() ? 'GET /jobs/{id}/wait' : 'polling of GET /jobs/{id}', "\n";
        $queue->cancel($job['id']);
    },

    'list filters by context and pages with the cursor' => function () use ($queue, $context) {
        $page = $queue->list(['context' => $context, 'limit' => 2]);
        same(2, count($page['jobs']));
        ok($page['jobs'][0]['id'] > $page['jobs'][1]['id'], 'newest first');
        ok($page['next_cursor'] !== null, 'a next page');
        $all = array_column(iterator_to_array($queue->listAll(['context' => $context, 'limit' => 2]), false), 'id');
        ok(count($all) > 2, 'more than one page');
        same(array_column($page['jobs'], 'id'), array_slice($all, 0, 2));
        same(count($all), count(array_unique($all)));
        same([$context], array_values(array_unique(array_column($page['jobs'], 'context'))));
    },

    'cancel a scheduled job; cancelling it again is a 409 naming the id' => function () use ($env, $queue, $http) {
        $job = $queue->submit($http("{$env['target']}/php/cancel", ['delay' => 3600]));
        same('cancelled', $queue->cancel($job['id'])['state']);
        same('cancelled', $queue->get($job['id'])['state']);
        $e = throws(QueueException::class, fn () => $queue->cancel($job['id']));
        same(409, $e->status);
        same('id', $e->field);
        same('Conflict', $e->title);
        same("job {$job['id']} is cancelled and cannot be cancelled (id) [409]", $e->getMessage());
    },

    'retry of a failed job runs it again' => function () use ($env, $queue, $http) {
        $job = $queue->submit($http("{$env['target']}/fail"), wait: 30);
        same('failed', $job['state']);
        same(500, $job['return_code']);
        $retried = $queue->retry($job['id']);
        ok(in_array($retried['state'], ['waiting', 'working', 'failed'], true), $retried['state']);
        $again = $queue->wait($job['id'], 30);
        same('failed', $again['state']);
        same(2, count($again['attempts']));
    },

    'retryFailed retries the failed jobs of a context' => function () use ($env, $queue) {
        $own = uniqueContext('php-bulk');
        $job = $queue->submit(['command' => ['type' => 'http', 'url' => "{$env['target']}/fail"], 'context' => $own], wait: 30);
        same('failed', $job['state']);
        same(1, $queue->retryFailed($own));
        same(2, count($queue->wait($job['id'], 30)['attempts']));
    },

    'run streams the output of a job run now' => function () use ($queue, $receiver, $http) {
        $chunks = [];
        $result = $queue->submitAndRun($http($receiver->url('/run-me')), function (string $text) use (&$chunks) {
            $chunks[] = $text;
        });
        same('done', $result['state']);
        same(200, $result['return_code']);
        matches('{^received GET /run-me}', $result['output']);
        matches("{\\[job {$result['id']} done, return_code 200\\]\n$}", implode('', $chunks));
        same('done', $queue->get($result['id'])['state']);

        $held = $queue->submit($http($receiver->url('/broken'), ['delay' => 3600]));
        $failed = $queue->run($held['id']);
        same(['id' => $held['id'], 'state' => 'failed', 'return_code' => 500, 'error' => 'HTTP status 500',
            'output' => 'broken'], $failed);
    },

    'a 400 problem is a QueueException with status, title, detail and field' => function () use ($queue, $http) {
        $e = throws(QueueException::class, fn () => $queue->submit($http('ftp://example.org/x')));
        same(400, $e->status);
        same(400, $e->getCode());
        same('Bad Request', $e->title);
        same('command.url', $e->field);
        same('must use http or https', $e->detail);
        same('must use http or https (command.url) [400]', $e->getMessage());
        same('about:blank', $e->type);
    },

    'an unknown job is a 404 naming the id, also while waiting' => function () use ($queue) {
        foreach ([fn () => $queue->get(987654321), fn () => $queue->wait(987654321, 5)] as $call) {
            $e = throws(QueueException::class, $call);
            same(404, $e->status);
            same('id', $e->field);
        }
        $e = throws(QueueException::class, fn () => $queue->status(987654321)); // the original's {"status":404,"data":"Job not found"}
        same(404, $e->status);
        same('Job not found [404]', $e->getMessage());
    },

    'tokens: a read token may look but not cancel; a wrong token is a 401' => function () use ($env, $queue, $http) {
        $job = $queue->submit($http("{$env['target']}/php/token", ['delay' => 3600]));
        $reader = client($env['readToken']);
        same($job['id'], $reader->get($job['id'])['id']);
        $e = throws(QueueException::class, fn () => $reader->cancel($job['id']));
        same(403, $e->status);
        same('Authorization', $e->field);
        $e = throws(QueueException::class, fn () => client('not-a-token-of-this-server')->status());
        same(401, $e->status);
        same('Authorization', $e->field);
        $queue->cancel($job['id']); // an accepted token clears the refusals of this address
    },

    'an unreachable server is a QueueException with status 0' => function () {
        $e = throws(QueueException::class, fn () => (new Client('http://127.0.0.1:9', null, 5))->status());
        same(0, $e->status);
        matches('{^GET http://127\.0\.0\.1:9/jobs/status: }', $e->getMessage());
    },

    "a real callback is verified by a PHP receiver with the server's secret" => function () use ($env, $queue, $context, $receiver, $http) {
        $job = $queue->submit($http("{$env['target']}/php/callback", ['callback_done' =>
            ['type' => 'http', 'url' => $receiver->url('/callback/signed'), 'method' => 'POST']]));
        $callback = $receiver->request('/callback/signed');
        same(null, $callback['verified']['error'] ?? null, 'verified by the receiver');
        same($job['id'], $callback['verified']['body']['id']);
        same('done', $callback['verified']['body']['state']);
        same($context, $callback['verified']['body']['context']);
        matches('/^msg_/', $callback['headers']['webhook-id']);
        same($queue->get($job['id'])['callbacks'][0]['webhook_id'], $callback['headers']['webhook-id']);

        $webhook = new Webhook($env['secret']);
        same($job['id'], $webhook->verify($callback['body'], $callback['headers'])['id']);
        throws(WebhookVerificationException::class,
            fn () => $webhook->verify(str_replace('"done"', '"failed"', $callback['body']), $callback['headers']));
        throws(WebhookVerificationException::class,
            fn () => (new Webhook('whsec_' . base64_encode('another secret')))->verify($callback['body'], $callback['headers']));
        throws(WebhookVerificationException::class,
            fn () => $webhook->verify($callback['body'], $callback['headers'], (int) $callback['headers']['webhook-timestamp'] + 301));
    },

    'callback_failed reaches the receiver with the failure' => function () use ($env, $queue, $receiver, $http) {
        $job = $queue->submit($http("{$env['target']}/fail", ['callback_failed' =>
            ['type' => 'http', 'url' => $receiver->url('/callback/failed'), 'method' => 'POST']]));
        $body = $receiver->request('/callback/failed')['verified']['body'];
        same($job['id'], $body['id']);
        same('failed', $body['state']);
        same(500, $body['return_code']);
    },

    'the event stream says hello, then shows a job submitted and finished' => function () use ($env, $queue, $http) {
        $seen = [];
        $job = null;
        $queue->events(function (string $event, mixed $data) use (&$seen, &$job, $env, $http) {
            $seen[] = $event;
            if ($event === 'hello') {
                ok(is_string($data['node']), 'hello names the node');
                // a second client: this one is busy reading the stream
                $job = client()->submit($http("{$env['target']}/php/events"));
            }
            return !($event === 'job' && $data['id'] === $job['id'] && $data['kind'] === 'finished');
        }, 30);
        same('hello', $seen[0]);
        same('job', end($seen), 'the finished event came within 30 s: ' . implode(', ', $seen));
    },
];
