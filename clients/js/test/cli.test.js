// The `queue` command as an operator runs it: a real process with the token in its environment, against the
// real server of harness.js.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { server, uniqueContext } from './harness.js';

const env = server();
const BIN = fileURLToPath(new URL('../bin/queue.js', import.meta.url));
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const context = uniqueContext('cli');
const ENV = { ...process.env, QUEUE_URL: env.url, QUEUE_TOKEN: env.token };

/** Runs `queue …` to its end: {code, stdout, stderr}. */
function queue(args, { environment = ENV, input, command = process.execPath, prefix = [BIN] } = {}) {
  return new Promise((resolve) => {
    const child = execFile(command, [...prefix, ...args], { env: environment, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
    if (input !== undefined) {
      child.stdin.end(input);
    }
  });
}

async function json(args) {
  const result = await queue([...args, '--json']);
  assert.equal(result.code, 0, `queue ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

// each test has jobs of its own (and its own context where it lists), so they run side by side
describe('queue', { concurrency: 4 }, () => {
  it('submit with job options and --json, then wait for it', async () => {
    const job = await json(['submit', '--http', `${env.target}/cli/submit`, '--method', 'POST', '--context', context,
      '--priority', '7', '--header', 'X-Client: cli', '--param', 'page=3', '--max-attempts', '2',
      '--unique-key', `${context}-once`, '--callback-done', `${env.target}/cli/callback`]);
    assert.equal(job.context, context);
    assert.equal(job.priority, 7);
    assert.equal(job.max_attempts, 2);
    assert.equal(job.job.command.headers['X-Client'], 'cli');
    assert.equal(job.job.callback_done.url, `${env.target}/cli/callback`);
    assert.equal(job.job.callback_done.method, 'POST');

    const done = await json(['wait', String(job.id), '--timeout', '30']);
    assert.equal(done.state, 'done');
    assert.match(done.output, /"path":"\/cli\/submit"/);
  });

  it('submit reads JOB from a file or standard input, and --wait ends with the job', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'queue-cli-'));
    try {
      const file = join(folder, 'job.json');
      writeFileSync(file, JSON.stringify({ command: { type: 'http', url: `${env.target}/cli/file` }, context }));
      const fromFile = await queue(['submit', file, '--wait', '30']);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.match(fromFile.stdout, /^state +done$/m);
      assert.match(fromFile.stdout, /^return_code +200$/m);
    } finally {
      rmSync(folder, { recursive: true });
    }
    const fromStdin = await queue(['submit', '-', '--json'],
      { input: JSON.stringify({ command: { type: 'http', url: `${env.target}/cli/stdin` }, context, delay: 3600 }) });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(JSON.parse(fromStdin.stdout).state, 'scheduled');
  });

  it('status, get and list print tables', async () => {
    const own = uniqueContext('cli-tables');
    await json(['submit', '--http', `${env.target}/cli/tables`, '--context', own, '--delay', '3600']);
    const job = await json(['submit', '--http', `${env.target}/cli/tables`, '--context', own, '--wait', '30']);
    const counters = await queue(['status']);
    assert.equal(counters.code, 0, counters.stderr);
    assert.match(counters.stdout, /^counters\n {2}all_jobs +\d+$/m);
    assert.equal(typeof (await json(['status'])).free_threads, 'number');

    const status = await queue(['status', String(job.id)]);
    assert.match(status.stdout, /^ {2}worker_status +3$/m);
    const get = await queue(['get', String(job.id)]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, new RegExp(`^id +${job.id}$`, 'm'));
    assert.match(get.stdout, /^attempts\n +# +NODE +STARTED +ENDED +OUTCOME +RC +ERROR\n +1 .* done +200 +-$/m);
    assert.match(get.stdout, /^output\n\{"ok":true,"path":"\/cli\/tables"\}$/m);

    const list = await queue(['list', '--context', own, '--limit', '1']);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split('\n');
    assert.equal(lines.length, 3, list.stdout);
    assert.match(lines[0], /^ID +STATE +CONTEXT +TYPE +PRIORITY +ATTEMPT +CREATED +RC +ERROR$/);
    assert.match(lines[1], new RegExp(`^${job.id} +done +${own} +http +500 +1/1 +\\S+ +200 +-$`));
    assert.match(lines[2], /^\(more: --cursor \d+\)$/);
    const done = await json(['list', '--context', own, '--state', 'done']);
    assert.deepEqual(done.jobs.map((j) => j.id), [job.id]);
  });

  it('cancel, and a refused cancel exits 1 with the problem\'s message', async () => {
    const job = await json(['submit', '--http', `${env.target}/cli/cancel`, '--context', context, '--delay', '3600']);
    const cancelled = await queue(['cancel', String(job.id)]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /^state +cancelled$/m);

    const again = await queue(['cancel', String(job.id)]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr.trim(), `queue: job ${job.id} is cancelled and cannot be cancelled (id) [409]`);
    const againJson = await queue(['cancel', String(job.id), '--json']);
    assert.equal(againJson.code, 1);
    assert.deepEqual(JSON.parse(againJson.stdout), { type: 'about:blank', title: 'Conflict', status: 409,
      detail: `job ${job.id} is cancelled and cannot be cancelled`, field: 'id' });
  });

  it('retry of a failed job, and retry --failed of a context', async () => {
    const own = uniqueContext('cli-retry');
    const submitted = await queue(['submit', '--http', `${env.target}/fail`, '--context', own, '--wait', '30', '--json']);
    assert.equal(submitted.code, 3, 'submit --wait of a job that fails exits 3');
    const failed = JSON.parse(submitted.stdout);
    assert.equal(failed.state, 'failed');
    const waited = await queue(['wait', String(failed.id)]);
    assert.equal(waited.code, 3, 'wait of a failed job exits 3');

    assert.equal((await queue(['retry', String(failed.id)])).code, 0);
    assert.equal((await queue(['wait', String(failed.id), '--timeout', '30'])).code, 3);
    assert.equal((await json(['get', String(failed.id)])).attempts.length, 2);
    const bulk = await queue(['retry', '--failed', '--context', own]);
    assert.equal(bulk.stdout.trim(), '1 failed job queued again');
  });

  it('run streams the output of a new or an existing job; a failed run exits 3', async () => {
    const run = await queue(['run', '--http', `${env.target}/cli/run`, '--context', context]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\{"ok":true,"path":"\/cli\/run"\}\n\[job \d+ done, return_code 200\]\n$/);

    const held = await json(['submit', '--http', `${env.target}/fail`, '--context', context, '--delay', '3600']);
    const failed = await queue(['run', String(held.id), '--json']);
    assert.equal(failed.code, 3);
    assert.deepEqual(JSON.parse(failed.stdout), { id: held.id, state: 'failed', returnCode: 500,
      error: 'HTTP status 500', output: 'it broke' });
  });

  it('wait and submit --wait time out with exit code 4', async () => {
    const job = await json(['submit', '--http', `${env.target}/cli/later`, '--context', context, '--delay', '3600']);
    const waited = await queue(['wait', String(job.id), '--timeout', '1']);
    assert.equal(waited.code, 4);
    assert.match(waited.stderr, new RegExp(`queue: job ${job.id} is still scheduled after 1 s`));
    await queue(['cancel', String(job.id)]);
    const submitted = await queue(['submit', '--http', `${env.target}/cli/later`, '--context', context,
      '--delay', '3600', '--wait', '1', '--json']);
    assert.equal(submitted.code, 4);
    assert.match(submitted.stderr, /is still scheduled after 1 s/);
    await queue(['cancel', String(JSON.parse(submitted.stdout).id)]);
  });

  it('tail follows the event stream and sees a job', async () => {
    const tail = spawn(process.execPath, [BIN, 'tail', '--json'], { env: ENV });
    const lines = createInterface({ input: tail.stdout });
    const events = [];
    const kinds = new Set();
    let job;
    const timer = setTimeout(() => tail.kill(), 30_000);
    try {
      for await (const line of lines) {
        const event = JSON.parse(line);
        events.push(event);
        if (event.event === 'hello') {
          job = await json(['submit', '--http', `${env.target}/cli/tail`, '--context', context]);
        } else if (event.event === 'job' && event.data.id === job?.id) {
          kinds.add(event.data.kind);
          if (['submitted', 'started', 'finished'].every((kind) => kinds.has(kind))) {
            break;
          }
        }
      }
    } finally {
      clearTimeout(timer);
      tail.kill('SIGINT');
    }
    // the kinds come from different threads of the server, so their order is not asserted
    assert.deepEqual([...kinds].sort(), ['finished', 'started', 'submitted'],
      JSON.stringify(events.filter((e) => e.event === 'hello' || e.data?.id === job?.id)));
    const code = tail.exitCode ?? await new Promise((resolve) => tail.on('exit', resolve));
    assert.equal(code, 0, 'tail ends cleanly on SIGINT');

    const table = spawn(process.execPath, [BIN, 'tail', '--job', String(job.id)], { env: ENV });
    const first = await new Promise((resolve) => createInterface({ input: table.stdout }).once('line', resolve));
    table.kill('SIGINT');
    assert.match(first, /^\d\d:\d\d:\d\d {2}connected to node \S+$/);
  });

  it('errors and usage: exit 1 with the problem, 2 for usage, no token is a 401', async () => {
    const bad = await queue(['submit', '--http', 'ftp://example.org/', '--context', context]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), 'queue: must use http or https (command.url) [400]');
    const badJson = await queue(['submit', '--http', 'ftp://example.org/', '--json']);
    assert.equal(JSON.parse(badJson.stdout).field, 'command.url');

    for (const args of [[], ['nonsense'], ['get'], ['get', 'x'], ['submit'], ['status', '--bogus'],
      ['submit', '--http', 'http://a', '--exec', '/bin/echo'], ['submit', '{not json']]) {
      const usage = await queue(args);
      assert.equal(usage.code, 2, `queue ${args.join(' ')}: ${usage.stdout}${usage.stderr}`);
    }
    const { QUEUE_TOKEN: ignored, ...withoutToken } = ENV;
    const anonymous = await queue(['status'], { environment: withoutToken });
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /\(Authorization\) \[401\]$/m);
    const viaApiToken = await queue(['status', '--json'], { environment: { ...withoutToken, QUEUE_API_TOKEN: env.token } });
    assert.equal(viaApiToken.code, 0, viaApiToken.stderr);
    const unreachable = await queue(['status'], { environment: { ...ENV, QUEUE_URL: 'http://127.0.0.1:9' } });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^queue: GET http:\/\/127\.0\.0\.1:9\/jobs\/status: /);
  });

  it('installs as a command with npm install -g', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'queue-npm-'));
    try {
      const npm = await new Promise((resolve) => execFile('npm', ['install', '-g', '--prefix', prefix, '--offline',
        '--no-audit', '--no-fund', PACKAGE], { timeout: 60_000 }, (error, stdout, stderr) => resolve({ error, stderr })));
      assert.equal(npm.error, null, npm.stderr);
      const installed = await queue(['status', '--json'], { command: join(prefix, 'bin', 'queue'), prefix: [] });
      assert.equal(installed.code, 0, installed.stderr);
      assert.equal(typeof JSON.parse(installed.stdout).all_jobs, 'number');
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});
