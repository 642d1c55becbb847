<?php

// A stand-in of the server for wait() (see WaitTest.php), served by `php -S`: answers as the script in the file
// STANDIN_SCRIPT says and appends each request to RECEIVER_LOG.

declare(strict_types=1);

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
file_put_contents(getenv('RECEIVER_LOG'), json_encode(['method' => $_SERVER['REQUEST_METHOD'], 'path' => $path,
    'query' => (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_QUERY), 'prefer' => $_SERVER['HTTP_PREFER'] ?? null])
    . "\n", FILE_APPEND | LOCK_EX);

$file = fopen(getenv('STANDIN_SCRIPT'), 'c+');
flock($file, LOCK_EX);
$script = json_decode(stream_get_contents($file), true);
$key = "{$_SERVER['REQUEST_METHOD']} $path";
$answers = $script[$key] ?? [[404, ['title' => 'Not Found', 'status' => 404, 'detail' => 'no such resource']]];
$answer = count($answers) > 1 ? array_shift($answers) : $answers[0];
$script[$key] = $answers;
ftruncate($file, 0);
rewind($file);
fwrite($file, json_encode($script));
flock($file, LOCK_UN);

[$status, $body] = $answer;
http_response_code($status);
header('Content-Type: ' . ($status >= 400 ? 'application/problem+json' : 'application/json'));
foreach ($answer[2] ?? [] as $name => $value) {
    header("$name: $value");
}
echo json_encode($body);
