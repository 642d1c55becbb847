<?php

// wait() with and without the server's long poll: a stand-in answers as Queue Server does without the route (404
// naming no field) and as the announced GET /jobs/{id}/wait and `Prefer: wait` do (200 with the finished job, 202
// with the job as it is at the timeout). ClientTest.php waits on the real server, whichever it has.

declare(strict_types=1);

use QueueServer\QueueException;
use QueueServer\WaitTimeoutException;

require_once __DIR__ . '/support.php';

$standIn = new StandIn();
$working = ['id' => 7, 'state' => 'working'];
$done = ['id' => 7, 'state' => 'done', 'return_code' => 200];

return [
    'uses GET /jobs/{id}/wait where the server has it, asking again after a 202' => function () use ($standIn, $working, $done) {
        $queue = $standIn->script(['GET /jobs/7/wait' => [[202, $working], [200, $done]]]);
        same($done, $queue->wait(7, 10));
        same(true, $queue->waitRoute());
        same(['/jobs/7/wait', '/jobs/7/wait'], array_column($standIn->asked(), 'path'));
        matches('/^timeout=(9|10)$/', $standIn->asked()[0]['query']);
    },
    'polls GET /jobs/{id} when the server has no such route (404 without a field, or 405), and remembers' => function () use ($standIn, $working, $done) {
        foreach ([[404, ['status' => 404, 'detail' => 'no such resource']], [405, ['status' => 405]]] as $missing) {
            $queue = $standIn->script(['GET /jobs/7/wait' => [$missing], 'GET /jobs/7' => [[200, $working], [200, $working], [200, $done]]]);
            same($done, $queue->wait(7, 10));
            same(false, $queue->waitRoute());
            $queue->wait(7, 10);
            same(['/jobs/7/wait', '/jobs/7', '/jobs/7', '/jobs/7', '/jobs/7'], array_column($standIn->asked(), 'path'));
        }
    },
    'an unknown job (404 naming the id) is an error, not a missing route' => function () use ($standIn) {
        $queue = $standIn->script(['GET /jobs/7/wait' => [[404, ['status' => 404, 'detail' => 'job 7 not found', 'field' => 'id']]]]);
        same('id', throws(QueueException::class, fn () => $queue->wait(7, 5))->field);
        same(1, count($standIn->asked()));
    },
    'submit with wait sends Prefer: wait=N and waits for the rest after a 202' => function () use ($standIn, $working, $done) {
        $queue = $standIn->script(['POST /jobs' => [[202, $working, ['Location' => '/jobs/7']]], 'GET /jobs/7/wait' => [[200, $done]]]);
        same($done, $queue->submit(['command' => ['type' => 'http', 'url' => 'https://x']], wait: 5));
        same('wait=5', $standIn->asked()[0]['prefer']);
        matches('/^timeout=[1-5]$/', $standIn->asked()[1]['query']);
    },
    'a long poll that answers at once does not turn into a busy loop' => function () use ($standIn, $working) {
        $queue = $standIn->script(['GET /jobs/7/wait' => [[202, $working]], 'GET /jobs/7' => [[200, $working]]]);
        throws(WaitTimeoutException::class, fn () => $queue->wait(7, 1.5));
        ok(count($standIn->asked()) < 10, count($standIn->asked()) . ' requests in 1.5 s');
    },
];
