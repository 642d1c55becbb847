<?php

declare(strict_types=1);

namespace QueueServer;

require_once __DIR__ . '/QueueException.php';
require_once __DIR__ . '/WaitTimeoutException.php';
require_once __DIR__ . '/Webhook.php';

/**
 * A client of Queue Server's REST API (and of the original's routes /jobs/add and /jobs/status/{id}) over the curl
 * extension. Jobs are arrays as the server documents them; every refusal is thrown as a QueueException carrying
 * the problem's status, title, detail and field.
 *
 *     $queue = new QueueServer\Client('https://queue.example.org', getenv('QUEUE_TOKEN'));
 *     $job = $queue->submit(['command' => ['type' => 'http', 'url' => 'https://app/work'], 'context' => 'mailing']);
 *     $done = $queue->wait($job['id'], timeout: 60);
 */
final class Client
{
    public const VERSION = '0.1.0';
    /** States a job never leaves by itself. */
    public const FINAL_STATES = ['done', 'failed', 'cancelled', 'expired'];
    /** The longest single long poll of GET /jobs/{id}/wait; wait() asks again until its own timeout. */
    private const LONG_POLL_SECONDS = 30;
    /** A job that waits for run-now is held back this long (it runs at once, or is cancelled). */
    private const HOLD_SECONDS = 86400;

    private string $url;
    private ?\CurlHandle $curl = null;
    /** Whether the server answers GET /jobs/{id}/wait: null until wait() first asks. */
    private ?bool $waitRoute = null;

    /**
     * @param float $timeout seconds per request
     * @param array<string, string> $headers sent with every request
     */
    public function __construct(
        string $url = 'http://localhost:8080',
        private ?string $token = null,
        private float $timeout = 30.0,
        private array $headers = [],
    ) {
        if (!extension_loaded('curl')) {
            throw new \LogicException('QueueServer\Client needs the curl extension (Debian: apt-get install php-curl)');
        }
        $this->url = rtrim($url, '/');
        $this->token = $token === '' ? null : $token;
    }

    /** A client configured by QUEUE_URL and QUEUE_TOKEN (or QUEUE_API_TOKEN). */
    public static function fromEnv(): self
    {
        $token = getenv('QUEUE_TOKEN') ?: getenv('QUEUE_API_TOKEN') ?: null;
        return new self(getenv('QUEUE_URL') ?: 'http://localhost:8080', $token);
    }

    /**
     * Submits one job; the answer is the stored job. With $wait (seconds) the server is asked to answer once the job
     * has finished (Prefer: wait=N), and the rest of that time is waited here when it answered earlier.
     *
     * @param array<string, mixed> $job command, priority, context, concurrency_key, run_at / delay, callback_done,
     *     callback_failed, max_attempts, backoff, max_retry_duration, expires_at / expires_in, unique_key, …
     *     (run_at and expires_at may be DateTimeInterface)
     * @return array<string, mixed>
     * @throws WaitTimeoutException when $wait passed before the job finished
     */
    public function submit(array $job, ?string $idempotencyKey = null, ?float $wait = null): array
    {
        $headers = [];
        if ($idempotencyKey !== null) {
            $headers['Idempotency-Key'] = $idempotencyKey;
        }
        if ($wait !== null && $wait > 0) {
            $headers['Prefer'] = 'wait=' . (int) ceil($wait);
        }
        $started = microtime(true);
        $stored = $this->call('POST', '/jobs', json: self::jobJson($job), headers: $headers, extraTime: $wait ?? 0);
        if ($wait === null || $wait <= 0 || in_array($stored['state'], self::FINAL_STATES, true)) {
            return $stored;
        }
        try {
            return $this->wait($stored['id'], max(0.0, $wait - (microtime(true) - $started)));
        } catch (WaitTimeoutException $e) {
            throw new WaitTimeoutException($e->job, $wait);
        }
    }

    /**
     * Submits jobs in one transaction (all or none).
     *
     * @param list<array<string, mixed>> $jobs
     * @return list<array{id: int, href: string}>
     */
    public function submitBatch(array $jobs): array
    {
        return $this->call('POST', '/jobs', json: array_map(self::jobJson(...), $jobs))['jobs'];
    }

    /** The original's POST /jobs/add: the new job's id. */
    public function add(array $job): int
    {
        return (int) $this->call('POST', '/jobs/add', json: self::jobJson($job))['job_id'];
    }

    /** GET /jobs/{id}: the job with output, attempts and callback deliveries. */
    public function get(int $id): array
    {
        return $this->call('GET', "/jobs/$id");
    }

    /**
     * Without an id the counters (all_jobs, waiting, working, done, failed, …, free_threads); with one the original's
     * status of that job (worker_status, state, times, return_code; no output).
     */
    public function status(?int $id = null): array
    {
        return $this->call('GET', $id === null ? '/jobs/status' : "/jobs/status/$id")['data'];
    }

    /**
     * One page of jobs, newest first: ['jobs' => [...], 'next_cursor' => ?int].
     *
     * @param array{state?: string, context?: string, q?: string, limit?: int, cursor?: int} $filter
     */
    public function list(array $filter = []): array
    {
        return $this->call('GET', '/jobs', query: $filter);
    }

    /**
     * Every job of a filter, page after page.
     *
     * @return \Generator<int, array<string, mixed>>
     */
    public function listAll(array $filter = []): \Generator
    {
        do {
            $page = $this->list($filter);
            yield from $page['jobs'];
            $filter['cursor'] = $page['next_cursor'];
        } while ($page['next_cursor'] !== null);
    }

    /** Cancels a waiting, scheduled or running job (409 when it has finished). */
    public function cancel(int $id): array
    {
        return $this->call('POST', "/jobs/$id/cancel");
    }

    /** Queues a failed or cancelled job again with fresh attempts (409 otherwise). */
    public function retry(int $id): array
    {
        return $this->call('POST', "/jobs/$id/retry");
    }

    /** Retries every failed job (of one context): how many. */
    public function retryFailed(?string $context = null): int
    {
        return $this->call('POST', '/jobs/retry', query: ['state' => 'failed', 'context' => $context])['retried'];
    }

    public function delete(int $id): void
    {
        $this->call('DELETE', "/jobs/$id");
    }

    /** From inside a running job (use __JOBID__ in its command): percent 0-100 and a message. */
    public function progress(int $id, int $percent, ?string $message = null): array
    {
        return $this->call('POST', "/jobs/$id/progress", json: ['percent' => $percent, 'message' => $message]);
    }

    /**
     * Waits until the job has finished and returns it. Uses the server's long poll (GET /jobs/{id}/wait) where it has
     * one, else polls GET /jobs/{id} with a growing pause (0.1 s to 2 s).
     *
     * @throws WaitTimeoutException with the job as last seen
     */
    public function wait(int $id, float $timeout = 60.0): array
    {
        $deadline = microtime(true) + $timeout;
        $pause = 0.1;
        while (true) {
            $left = $deadline - microtime(true);
            $asked = microtime(true);
            $polled = $this->waitRoute !== false && $left >= 1
                ? $this->longPoll($id, min(self::LONG_POLL_SECONDS, (int) floor($left))) : null;
            $job = $polled ?? $this->get($id);
            if (in_array($job['state'], self::FINAL_STATES, true)) {
                return $job;
            }
            if (microtime(true) >= $deadline) {
                throw new WaitTimeoutException($job, $timeout);
            }
            if ($polled === null || microtime(true) - $asked < 0.5) { // a long poll that came back at once: no busy loop
                usleep((int) (1e6 * max(0.0, min($pause, $deadline - microtime(true)))));
                $pause = min($pause * 1.5, 2.0);
            }
        }
    }

    /** Whether the server answers GET /jobs/{id}/wait: null until wait() first asked. */
    public function waitRoute(): ?bool
    {
        return $this->waitRoute;
    }

    /** The job from the server's long poll, or null when the server has no such route (then remembered). */
    private function longPoll(int $id, int $seconds): ?array
    {
        try {
            $job = $this->call('GET', "/jobs/$id/wait", query: ['timeout' => $seconds], extraTime: $seconds);
            $this->waitRoute = true;
            return $job;
        } catch (QueueException $e) {
            // a 404 naming no field is a route the server lacks (an unknown job's 404 names "id")
            if ($e->status === 405 || ($e->status === 404 && $e->field === null)) {
                $this->waitRoute = false;
                return null;
            }
            throw $e;
        }
    }

    /**
     * Runs an existing job now on the server (POST /jobs/{id}/run), whatever its place in the queue, passing its
     * output to $onOutput as it arrives; the stream's last line is the server's outcome line
     * ("[job 42 done, return_code 200]").
     *
     * @param callable(string): void|null $onOutput
     * @return array{id: int, state: string, return_code: ?int, error: ?string, output: string}
     */
    public function run(int $id, ?callable $onOutput = null): array
    {
        $text = '';
        $this->stream('POST', "/jobs/$id/run", 'text/plain, application/problem+json', function (string $chunk) use (&$text, $onOutput) {
            $text .= $chunk;
            if ($onOutput !== null) {
                $onOutput($chunk);
            }
            return true;
        }, null);
        $last = strrpos($text, "\n[job ");
        $outcome = $last === false ? false
            : preg_match('/^\[job (\d+) (done|failed), return_code (-?\d+|null)(?:, (.*))?\]\n?$/s', substr($text, $last + 1), $m);
        if ($outcome !== 1) {
            throw new QueueException(200, ['title' => 'Incomplete run', 'detail' => "the run of job $id ended without its outcome line"]);
        }
        return ['id' => (int) $m[1], 'state' => $m[2], 'return_code' => $m[3] === 'null' ? null : (int) $m[3],
            'error' => ($m[4] ?? '') === '' ? null : $m[4], 'output' => substr($text, 0, $last)];
    }

    /**
     * Submits a job held back from the queue and runs it at once through run(), streaming its output (the original's
     * "php work.php -j123" for a new job). The job must not set expires_at / expires_in; its run_at / delay are
     * replaced. When the server has no free slot for $slotWait seconds, the held job is cancelled and the error thrown.
     */
    public function submitAndRun(array $job, ?callable $onOutput = null, float $slotWait = 15.0): array
    {
        if (array_key_exists('expires_at', $job) || array_key_exists('expires_in', $job)) {
            throw new \InvalidArgumentException('a job that runs at once cannot expire: remove expires_at / expires_in');
        }
        unset($job['run_at']);
        $held = $this->submit(['delay' => self::HOLD_SECONDS] + $job);
        // a unique_key may have returned an older job instead: only the job held here is cancelled on failure
        $heldHere = $held['state'] === 'scheduled'
            && strtotime($held['run_at']) > time() + self::HOLD_SECONDS - 3600;
        $deadline = microtime(true) + $slotWait;
        while (true) {
            try {
                return $this->run($held['id'], $onOutput);
            } catch (QueueException $e) {
                if ($e->status === 503 && microtime(true) < $deadline) {
                    usleep(1_000_000 * ($e->retryAfter ?? 1));
                    continue;
                }
                if ($heldHere) {
                    try {
                        $this->cancel($held['id']);
                    } catch (QueueException) {
                        // the job may have finished meanwhile; the first error is the one to report
                    }
                }
                throw $e;
            }
        }
    }

    /**
     * Follows the server's event stream (GET /jobs/events): $onEvent($event, $data) for "hello", "counters",
     * "throughput" and "job" (data: kind submitted|started|progressed|finished, id, state, …; decoded JSON). Returns
     * when $onEvent returns false, after $timeout seconds, or when the server closes the stream.
     *
     * @param callable(string, mixed): (bool|null) $onEvent
     */
    public function events(callable $onEvent, ?float $timeout = null): void
    {
        $buffer = '';
        $event = 'message';
        $data = [];
        $this->stream('GET', '/jobs/events', 'text/event-stream', function (string $chunk) use (&$buffer, &$event, &$data, $onEvent) {
            $buffer .= $chunk;
            while (preg_match('/\r\n|\r|\n/', $buffer, $m, PREG_OFFSET_CAPTURE) === 1) {
                [$newline, $at] = $m[0];
                if ($newline === "\r" && $at === strlen($buffer) - 1) {
                    break; // a CR at the end of a chunk may be half of a CRLF
                }
                $line = substr($buffer, 0, $at);
                $buffer = substr($buffer, $at + strlen($newline));
                if ($line === '') {
                    if ($data !== []) {
                        $text = implode("\n", $data);
                        $decoded = json_decode($text, true);
                        if ($onEvent($event, $decoded === null && $text !== 'null' ? $text : $decoded) === false) {
                            return false;
                        }
                    }
                    $event = 'message';
                    $data = [];
                } elseif (!str_starts_with($line, ':')) {
                    [$name, $value] = array_pad(explode(':', $line, 2), 2, '');
                    $value = str_starts_with($value, ' ') ? substr($value, 1) : $value;
                    if ($name === 'event') {
                        $event = $value;
                    } elseif ($name === 'data') {
                        $data[] = $value;
                    }
                }
            }
            return true;
        }, $timeout);
    }

    /** A JSON call: the decoded answer, or a QueueException. */
    private function call(string $method, string $path, ?array $query = null, mixed $json = null, array $headers = [],
                          float $extraTime = 0): mixed
    {
        $curl = $this->handle($method, $path, $query, $json, $headers, 'application/json');
        $answerHeaders = [];
        curl_setopt_array($curl, [
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT_MS => (int) (1000 * ($this->timeout + $extraTime)),
            CURLOPT_HEADERFUNCTION => self::headerCollector($answerHeaders),
        ]);
        $body = curl_exec($curl);
        if ($body === false) {
            throw $this->unreachable($method, $path, $curl);
        }
        $status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        if ($status >= 400) {
            throw self::problem($status, $body, $answerHeaders);
        }
        return $body === '' ? null : json_decode($body, true, 512, JSON_THROW_ON_ERROR);
    }

    /** A streamed answer: $onChunk gets the body as it arrives (return false to stop); a refusal is thrown. */
    private function stream(string $method, string $path, string $accept, callable $onChunk, ?float $timeout): void
    {
        $curl = $this->handle($method, $path, null, null, [], $accept);
        $answerHeaders = [];
        $refusal = '';
        $stopped = false;
        curl_setopt_array($curl, [
            CURLOPT_TIMEOUT_MS => $timeout === null ? 0 : (int) (1000 * $timeout),
            CURLOPT_HEADERFUNCTION => self::headerCollector($answerHeaders),
            CURLOPT_WRITEFUNCTION => function ($curl, string $chunk) use (&$refusal, &$stopped, $onChunk): int {
                if (curl_getinfo($curl, CURLINFO_RESPONSE_CODE) >= 400) {
                    $refusal .= $chunk;
                } elseif ($onChunk($chunk) === false) {
                    $stopped = true;
                    return 0; // curl stops reading
                }
                return strlen($chunk);
            },
        ]);
        $ok = curl_exec($curl);
        $status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        if ($status >= 400) {
            throw self::problem($status, $refusal, $answerHeaders);
        }
        $timedOut = curl_errno($curl) === CURLE_OPERATION_TIMEDOUT && $timeout !== null && $status === 200;
        if ($ok === false && !$stopped && !$timedOut) {
            throw $this->unreachable($method, $path, $curl);
        }
    }

    private function handle(string $method, string $path, ?array $query, mixed $json, array $headers, string $accept): \CurlHandle
    {
        $this->curl ??= curl_init();
        curl_reset($this->curl);
        $query = array_filter($query ?? [], fn ($value) => $value !== null && $value !== '');
        $all = ['Accept' => $accept, 'User-Agent' => 'queue-server-php/' . self::VERSION] + $headers + $this->headers;
        if ($this->token !== null) {
            $all['Authorization'] = 'Bearer ' . $this->token;
        }
        $options = [
            CURLOPT_URL => $this->url . $path . ($query === [] ? '' : '?' . http_build_query($query)),
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_CONNECTTIMEOUT_MS => (int) (1000 * min($this->timeout, 10)),
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_FOLLOWLOCATION => false,
        ];
        if ($json !== null) {
            $all['Content-Type'] = 'application/json';
            $options[CURLOPT_POSTFIELDS] = json_encode($json, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
                | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
        } elseif ($method === 'POST') {
            $options[CURLOPT_POSTFIELDS] = '';
        }
        $options[CURLOPT_HTTPHEADER] = array_map(fn ($name, $value) => "$name: $value", array_keys($all), $all);
        curl_setopt_array($this->curl, $options);
        return $this->curl;
    }

    /** @param array<string, string> $headers filled with the answer's headers, names in lower case */
    private static function headerCollector(array &$headers): \Closure
    {
        return function ($curl, string $line) use (&$headers): int {
            $colon = strpos($line, ':');
            if ($colon !== false) {
                $headers[strtolower(trim(substr($line, 0, $colon)))] = trim(substr($line, $colon + 1));
            }
            return strlen($line);
        };
    }

    /** The problem of a refused answer; the original's {"status":404,"data":"Job not found"} and plain text too. */
    private static function problem(int $status, string $body, array $headers): QueueException
    {
        try {
            $problem = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
            $problem = is_array($problem) && !array_is_list($problem) ? $problem : [];
            if (is_string($problem['data'] ?? null) && !isset($problem['detail'])) {
                $problem['detail'] = $problem['data'];
            }
        } catch (\JsonException) {
            // a plain text answer says what went wrong; an HTML error page of a proxy or the container does not
            $plain = str_starts_with($headers['content-type'] ?? '', 'text/plain') && trim($body) !== '';
            $problem = $plain ? ['detail' => substr(trim($body), 0, 500)] : [];
        }
        $retryAfter = isset($headers['retry-after']) && ctype_digit($headers['retry-after']) ? (int) $headers['retry-after'] : null;
        return new QueueException($status, $problem + ['title' => self::reason($status)], $retryAfter);
    }

    private function unreachable(string $method, string $path, \CurlHandle $curl): QueueException
    {
        return new QueueException(0, ['title' => 'Unreachable',
            'detail' => "$method {$this->url}$path: " . curl_error($curl)]);
    }

    private static function reason(int $status): string
    {
        return [400 => 'Bad Request', 401 => 'Unauthorized', 403 => 'Forbidden', 404 => 'Not Found',
            405 => 'Method Not Allowed', 409 => 'Conflict', 413 => 'Payload Too Large', 415 => 'Unsupported Media Type',
            429 => 'Too Many Requests', 500 => 'Internal Server Error', 502 => 'Bad Gateway',
            503 => 'Service Unavailable', 504 => 'Gateway Timeout'][$status] ?? "HTTP $status";
    }

    /** Dates become RFC 3339 text; the rest goes as it is. */
    private static function jobJson(array $job): array
    {
        foreach (['run_at', 'expires_at'] as $field) {
            if (($job[$field] ?? null) instanceof \DateTimeInterface) {
                $job[$field] = $job[$field]->format(\DateTimeInterface::RFC3339_EXTENDED);
            }
        }
        return $job;
    }
}
