// The client against a real Queue Server (see harness.js): every call goes over HTTP to the server, which runs
// the jobs against real local HTTP servers and signs its callbacks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueueError, WaitTimeoutError, Webhook, WebhookVerificationError } from '../src/index.js';
import { receiver, server, uniqueContext } from './harness.js';

const env = server();
const client = env.client();
const context = uniqueContext('js');
let local;

before(async () => {
  local = await receiver((request) => (request.url.startsWith('/broken') ? { status: 500, body: 'broken' }
    : { status: 200, body: `received ${request.method} ${request.url} ${request.body}` }));
});

after(() => local.close());

describe('submit', () => {
  it('sends every option; the target receives the request and the job keeps them', async () => {
    const runAt = new Date(Date.now() + 3_600_000);
    const job = await client.submit({
      command: {
        type: 'http', url: `${env.target}/js/submit`, method: 'POST', headers: { 'X-Client': 'js' },
        params: { page: 2 }, json: { hello: 'target' }, timeout: 20,
      },
      priority: 4711,
      context,
      concurrency_key: `${context}-key`,
      run_at: runAt,
      max_attempts: 3,
      backoff: { min: 0.2, max: 1, multiplier: 2 },
      max_retry_duration: 60,
      expires_in: 7200,
      unique_key: `${context}-unique`,
      callback_done: { type: 'http', url: local.url('/callback/submit'), method: 'POST' },
    });
    assert.equal(job.state, 'scheduled');
    assert.equal(job.priority, 4711);
    assert.equal(job.context, context);
    assert.equal(job.concurrency_key, `${context}-key`);
    assert.equal(job.unique_key, `${context}-unique`);
    assert.equal(job.max_attempts, 3);
    assert.equal(job.job.expires_in, 7200);
    assert.deepEqual(job.job.backoff, { min: 0.2, max: 1, multiplier: 2 });
    assert.equal(Date.parse(job.run_at), runAt.getTime());

    assert.equal((await client.run(job.id)).state, 'done'); // now rather than in an hour
    const done = await client.wait(job.id, { timeout: 30 });
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.equal(done.return_code, 200);
    assert.match(done.output, /"path":"\/js\/submit"/); // the recording target's answer; ClientsIT checks what it got
    assert.equal((await local.request('/callback/submit')).method, 'POST');

    const again = await client.submit({ command: { type: 'http', url: `${env.target}/js/other` }, context,
      unique_key: `${context}-unique` });
    assert.equal(again.id, job.id, 'the unique key returns the first job');
  });

  it('an Idempotency-Key returns the first job', async () => {
    const key = `${context}-idempotent`;
    const first = await client.submit({ command: { type: 'http', url: `${env.target}/js/idempotent` }, context },
      { idempotencyKey: key });
    const second = await client.submit({ command: { type: 'http', url: `${env.target}/js/idempotent` }, context },
      { idempotencyKey: key });
    assert.equal(second.id, first.id);
  });

  it('an exec command runs on the server', async () => {
    const job = await client.submit({ command: { type: 'exec', argv: ['/bin/echo', 'hello from', '__JOBID__'] },
      context }, { wait: 30 });
    assert.equal(job.state, 'done', JSON.stringify(job));
    assert.equal(job.return_code, 0);
    assert.equal(job.output.trim(), `hello from ${job.id}`);
  });

  it('with wait, answers the finished job', async () => {
    const job = await client.submit({ command: { type: 'http', url: local.url('/slow') }, context }, { wait: 30 });
    assert.equal(job.state, 'done');
    assert.match(job.output, /^received GET \/slow/);
  });

  it('a batch is stored in one go', async () => {
    const jobs = await client.submitBatch([1, 2, 3].map((n) => ({
      command: { type: 'http', url: `${env.target}/js/batch?n=${n}` }, context })));
    assert.equal(jobs.length, 3);
    for (const { id } of jobs) {
      assert.equal((await client.wait(id, { timeout: 30 })).state, 'done');
    }
  });

  it('the original\'s /jobs/add and /jobs/status/{id}', async () => {
    const id = await client.add({ command: { type: 'http', url: `${env.target}/js/compat` }, context });
    assert.equal(typeof id, 'number');
    await client.wait(id, { timeout: 30 });
    const status = await client.status(id);
    assert.equal(status.id, id);
    assert.equal(status.worker_status, 3);
    assert.equal(status.state, 'done');
  });
});

describe('following a job', () => {
  it('status without an id is the counters; get has attempts and callbacks', async () => {
    const counters = await client.status();
    for (const name of ['all_jobs', 'waiting', 'working', 'done', 'failed', 'max_threads', 'free_threads']) {
      assert.equal(typeof counters[name], 'number', name);
    }
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/js/get` }, context,
      callback_done: { type: 'http', url: local.url('/callback/get'), method: 'POST' } }, { wait: 30 });
    await local.request('/callback/get');
    const full = await client.get(job.id);
    assert.equal(full.attempts.length, 1);
    assert.equal(full.attempts[0].outcome, 'done');
    assert.equal(full.callbacks[0].kind, 'callback_done');
    assert.ok(counters.all_jobs >= 1);
  });

  it('wait gives up after its timeout with the job as last seen', async () => {
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/js/later` }, context, delay: 3600 });
    const started = Date.now();
    const error = await client.wait(job.id, { timeout: 1.5 }).catch((e) => e);
    assert.ok(error instanceof WaitTimeoutError, String(error));
    assert.equal(error.job.id, job.id);
    assert.equal(error.job.state, 'scheduled');
    assert.ok(Date.now() - started >= 1400 && Date.now() - started < 10_000, `${Date.now() - started} ms`);
    console.log(`wait used ${client.waitRoute ? 'GET /jobs/{id}/wait' : 'polling of GET /jobs/{id}'}`);
    await client.cancel(job.id);
  });

  it('list filters by context and pages with the cursor', async () => {
    const page = await client.list({ context, limit: 2 });
    assert.equal(page.jobs.length, 2);
    assert.ok(page.jobs.every((j) => j.context === context));
    assert.ok(page.jobs[0].id > page.jobs[1].id, 'newest first');
    assert.notEqual(page.next_cursor, null);
    const all = [];
    for await (const job of client.listAll({ context, limit: 2 })) {
      all.push(job.id);
    }
    assert.ok(all.length > 2);
    assert.deepEqual(all.slice(0, 2), page.jobs.map((j) => j.id));
    assert.equal(new Set(all).size, all.length);
  });
});

describe('changing a job', () => {
  it('cancel a scheduled job; cancelling it again is a 409 naming the id', async () => {
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/js/cancel` }, context, delay: 3600 });
    assert.equal(job.state, 'scheduled');
    assert.equal((await client.cancel(job.id)).state, 'cancelled');
    assert.equal((await client.get(job.id)).state, 'cancelled');
    const error = await client.cancel(job.id).catch((e) => e);
    assert.ok(error instanceof QueueError);
    assert.equal(error.status, 409);
    assert.equal(error.field, 'id');
    assert.match(error.message, /cannot be cancelled \(id\) \[409\]$/);
  });

  it('retry of a failed job runs it again', async () => {
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/fail` }, context }, { wait: 30 });
    assert.equal(job.state, 'failed');
    assert.equal(job.return_code, 500);
    const retried = await client.retry(job.id);
    assert.ok(['waiting', 'working', 'failed'].includes(retried.state), retried.state);
    const again = await client.wait(job.id, { timeout: 30 });
    assert.equal(again.state, 'failed');
    assert.equal(again.attempts.length, 2, JSON.stringify(again.attempts));
  });

  it('retryFailed retries the failed jobs of a context', async () => {
    const own = uniqueContext('js-bulk');
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/fail` }, context: own }, { wait: 30 });
    assert.equal(job.state, 'failed');
    assert.equal(await client.retryFailed({ context: own }), 1);
    assert.equal((await client.wait(job.id, { timeout: 30 })).attempts.length, 2);
  });

  it('run streams the output of a job run now', async () => {
    const chunks = [];
    const result = await client.submitAndRun({ command: { type: 'http', url: local.url('/run-me') }, context },
      { onOutput: (text) => chunks.push(text) });
    assert.equal(result.state, 'done');
    assert.equal(result.returnCode, 200);
    assert.match(result.output, /^received GET \/run-me/);
    assert.match(chunks.join(''), new RegExp(`\\[job ${result.id} done, return_code 200\\]\\n$`));
    const job = await client.get(result.id);
    assert.equal(job.state, 'done');

    const held = await client.submit({ command: { type: 'http', url: local.url('/broken') }, context, delay: 3600 });
    const failed = await client.run(held.id);
    assert.equal(failed.id, held.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.returnCode, 500);
  });
});

describe('errors', () => {
  it('a 400 problem is a QueueError with status, title, detail and field', async () => {
    const error = await client.submit({ command: { type: 'http', url: 'ftp://example.org/x' }, context })
      .catch((e) => e);
    assert.ok(error instanceof QueueError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.title, 'Bad Request');
    assert.equal(error.field, 'command.url');
    assert.equal(error.detail, 'must use http or https');
    assert.equal(error.message, 'must use http or https (command.url) [400]');
  });

  it('an unknown job is a 404 naming the id, also while waiting', async () => {
    for (const call of [() => client.get(987654321), () => client.wait(987654321, { timeout: 5 })]) {
      const error = await call().catch((e) => e);
      assert.ok(error instanceof QueueError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.field, 'id');
    }
    const original = await client.status(987654321).catch((e) => e); // the original's {"status":404,"data":"Job not found"}
    assert.equal(original.status, 404);
    assert.equal(original.message, 'Job not found [404]');
  });

  it('tokens: a read token may look but not cancel; a wrong token is a 401', async () => {
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/js/token` }, context, delay: 3600 });
    const reader = env.client(env.readToken);
    assert.equal((await reader.get(job.id)).id, job.id);
    const refused = await reader.cancel(job.id).catch((e) => e);
    assert.equal(refused.status, 403);
    assert.equal(refused.field, 'Authorization');
    const wrong = await env.client('not-a-token-of-this-server').status().catch((e) => e);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.field, 'Authorization');
    await client.cancel(job.id); // an accepted token clears the refusals of this address
  });

  it('an unreachable server is a QueueError with status 0', async () => {
    const closed = await receiver();
    const url = closed.url('');
    await closed.close();
    const error = await new (client.constructor)({ url, timeout: 5 }).status().catch((e) => e);
    assert.ok(error instanceof QueueError, String(error));
    assert.equal(error.status, 0);
  });
});

describe('callbacks', () => {
  it('a real callback verifies with the server\'s secret, and not when changed', async () => {
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/js/callback` }, context,
      callback_done: { type: 'http', url: local.url('/callback/signed'), method: 'POST' } });
    const callback = await local.request('/callback/signed');
    const webhook = new Webhook(env.secret);
    const body = webhook.verify(callback.body, callback.headers);
    assert.equal(body.id, job.id);
    assert.equal(body.state, 'done');
    assert.equal(body.context, context);
    assert.match(callback.headers['webhook-id'], /^msg_/);
    assert.equal((await client.get(job.id)).callbacks[0].webhook_id, callback.headers['webhook-id']);

    const changed = Buffer.from(callback.body.toString().replace('"done"', '"failed"'));
    assert.throws(() => webhook.verify(changed, callback.headers), WebhookVerificationError);
    assert.throws(() => new Webhook('whsec_' + Buffer.from('another secret').toString('base64'))
      .verify(callback.body, callback.headers), WebhookVerificationError);
    assert.throws(() => webhook.verify(callback.body, callback.headers,
      { now: Number(callback.headers['webhook-timestamp']) + 301 }), /off this clock/);
  });

  it('callback_failed reaches the receiver with the failure', async () => {
    const job = await client.submit({ command: { type: 'http', url: `${env.target}/fail` }, context,
      callback_failed: { type: 'http', url: local.url('/callback/failed'), method: 'POST' } });
    const callback = await local.request('/callback/failed');
    const body = new Webhook(env.secret).verify(callback.body, callback.headers);
    assert.equal(body.id, job.id);
    assert.equal(body.state, 'failed');
    assert.equal(body.return_code, 500);
  });
});

describe('events', () => {
  it('the event stream says hello, then shows a job submitted and finished', async () => {
    const stop = new AbortController();
    const seen = [];
    let submitted;
    const timer = setTimeout(() => stop.abort(), 30_000);
    try {
      for await (const { event, data } of client.events({ signal: stop.signal })) {
        seen.push(event);
        if (event === 'hello') {
          assert.equal(typeof data.node, 'string');
          submitted = await client.submit({ command: { type: 'http', url: `${env.target}/js/events` }, context });
        }
        if (event === 'job' && data.id === submitted?.id && data.kind === 'finished') {
          assert.equal(data.state, 'done');
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    assert.equal(seen[0], 'hello');
    assert.ok(seen.includes('job'), `events seen: ${seen}`);
    assert.ok(!stop.signal.aborted, 'the finished event came within 30 s');
  });
});
