<?php

// A tiny test runner: every tests/*Test.php returns a list of named closures; each is run, timed and reported.
// Exit code 0 only when at least one test ran and none failed. `php tests/run.php [part of "File: name"]`.

declare(strict_types=1);

require_once __DIR__ . '/../src/Client.php';

final class AssertionFailed extends RuntimeException
{
}

function ok(bool $condition, string $what): void
{
    if (!$condition) {
        throw new AssertionFailed($what);
    }
}

function same(mixed $expected, mixed $actual, string $what = ''): void
{
    if ($expected !== $actual) {
        throw new AssertionFailed(($what === '' ? '' : "$what: ") . 'expected ' . var_export($expected, true)
            . ', got ' . var_export($actual, true));
    }
}

function matches(string $pattern, string $text, string $what = ''): void
{
    if (preg_match($pattern, $text) !== 1) {
        throw new AssertionFailed(($what === '' ? '' : "$what: ") . "'$text' does not match $pattern");
    }
}

/** Runs $call, which must throw a $class; returns what it threw. */
function throws(string $class, callable $call, string $what = ''): Throwable
{
    try {
        $call();
    } catch (Throwable $e) {
        if ($e instanceof $class) {
            return $e;
        }
        throw new AssertionFailed(($what === '' ? '' : "$what: ") . "expected $class, got " . get_class($e) . ': '
            . $e->getMessage(), 0, $e);
    }
    throw new AssertionFailed(($what === '' ? '' : "$what: ") . "expected $class, nothing was thrown");
}

$filter = $argv[1] ?? '';
$failed = 0;
$ran = 0;
$started = microtime(true);
foreach (glob(__DIR__ . '/*Test.php') as $file) {
    $suite = basename($file, '.php');
    try {
        $tests = require $file;
    } catch (Throwable $e) {
        $tests = ['(loading the file)' => fn () => throw $e];
    }
    foreach ($tests as $name => $test) {
        if ($filter !== '' && !str_contains("$suite: $name", $filter)) {
            continue;
        }
        $ran++;
        $t = microtime(true);
        try {
            $test();
            printf("ok %d - %s: %s (%d ms)\n", $ran, $suite, $name, 1000 * (microtime(true) - $t));
        } catch (Throwable $e) {
            $failed++;
            printf("not ok %d - %s: %s\n  %s: %s\n  at %s:%d\n", $ran, $suite, $name, get_class($e),
                $e->getMessage(), $e->getFile(), $e->getLine());
            foreach (array_slice($e->getTrace(), 0, 4) as $frame) {
                printf("     %s:%d\n", $frame['file'] ?? '?', $frame['line'] ?? 0);
            }
        }
    }
}
printf("%d tests, %d failed, %.1f s\n", $ran, $failed, microtime(true) - $started);
exit($ran > 0 && $failed === 0 ? 0 : 1);
