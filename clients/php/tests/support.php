<?php

// What the tests against a real server share: its address and tokens from the environment (set by the Maven
// build's ClientsIT, or by hand), and a receiver for jobs and callbacks run by PHP's own web server (php -S).

declare(strict_types=1);

use QueueServer\Client;

/** @return array{url: string, token: string, readToken: string, target: string, secret: string} */
function server(): array
{
    $names = ['QUEUE_URL', 'QUEUE_TOKEN', 'QUEUE_TEST_READ_TOKEN', 'QUEUE_TEST_TARGET', 'QUEUE_TEST_CALLBACK_SECRET'];
    $missing = array_values(array_filter($names, fn ($name) => (string) getenv($name) === ''));
    if ($missing !== []) {
        throw new RuntimeException('these tests run against a real Queue Server: set ' . implode(', ', $missing)
            . ' (mvn verify runs them through ClientsIT)');
    }
    return ['url' => getenv('QUEUE_URL'), 'token' => getenv('QUEUE_TOKEN'), 'readToken' => getenv('QUEUE_TEST_READ_TOKEN'),
        'target' => rtrim(getenv('QUEUE_TEST_TARGET'), '/'), 'secret' => getenv('QUEUE_TEST_CALLBACK_SECRET')];
}

function client(?string $token = null): Client
{
    return new Client(server()['url'], $token ?? server()['token']);
}

/** A context of its own per run, so lists are told apart from those of other runs. */
function uniqueContext(string $prefix): string
{
    return $prefix . '-' . getmypid() . '-' . base_convert((string) (int) (microtime(true) * 1000), 10, 36);
}

/** `php -S` on a free loopback port serving one script of tests/, with a log file in RECEIVER_LOG. */
abstract class PhpServer
{
    /** @var resource */
    private $process;
    protected string $log;
    public int $port;

    protected function __construct(string $script, array $env = [])
    {
        $this->log = tempnam(sys_get_temp_dir(), 'queue-php-server-');
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $this->port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $this->process = proc_open([PHP_BINARY, '-S', "127.0.0.1:{$this->port}", __DIR__ . "/$script"],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes, null, ['RECEIVER_LOG' => $this->log] + $env + getenv());
        register_shutdown_function($this->stop(...));
        $deadline = microtime(true) + 10;
        while (@fsockopen('127.0.0.1', $this->port, $code, $message, 0.2) === false) {
            if (microtime(true) > $deadline) {
                throw new RuntimeException("php -S did not start on port {$this->port}");
            }
            usleep(50_000);
        }
    }

    public function url(string $path): string
    {
        return "http://127.0.0.1:{$this->port}$path";
    }

    /** @return list<array<string, mixed>> every request so far, oldest first */
    protected function logged(): array
    {
        return array_map(fn ($line) => json_decode($line, true, 512, JSON_THROW_ON_ERROR),
            file($this->log, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES));
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
            @unlink($this->log);
        }
    }
}

/** tests/receiver.php: answers jobs, checks every callback with QueueServer\Webhook and records each request. */
final class Receiver extends PhpServer
{
    private static ?Receiver $shared = null;

    public static function shared(): self
    {
        return self::$shared ??= new self('receiver.php');
    }

    /**
     * The first request to $path, waiting up to $seconds for it.
     *
     * @return array{method: string, uri: string, headers: array<string, string>, body: string, verified: mixed}
     */
    public function request(string $path, float $seconds = 20): array
    {
        $deadline = microtime(true) + $seconds;
        while (true) {
            foreach ($this->logged() as $request) {
                if (parse_url($request['uri'], PHP_URL_PATH) === $path) {
                    $request['body'] = base64_decode($request['body']);
                    return $request;
                }
            }
            if (microtime(true) > $deadline) {
                throw new RuntimeException("no request to $path within $seconds s");
            }
            usleep(100_000);
        }
    }
}

/**
 * tests/standin.php: answers as scripted per "METHOD path", a list of [status, body, headers] taken one by one
 * (the last one repeated), and records what it was asked.
 */
final class StandIn extends PhpServer
{
    private string $script;

    public function __construct()
    {
        $this->script = tempnam(sys_get_temp_dir(), 'queue-php-standin-');
        parent::__construct('standin.php', ['STANDIN_SCRIPT' => $this->script]);
    }

    /** @param array<string, list<array{0: int, 1: mixed, 2?: array<string, string>}>> $answers */
    public function script(array $answers): Client
    {
        file_put_contents($this->script, json_encode($answers, JSON_THROW_ON_ERROR));
        file_put_contents($this->log, '');
        return new Client($this->url(''));
    }

    /** @return list<array{method: string, path: string, query: string, prefer: ?string}> */
    public function asked(): array
    {
        return $this->logged();
    }

    public function stop(): void
    {
        parent::stop();
        @unlink($this->script);
    }
}
