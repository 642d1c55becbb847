// wait() with and without the server's long poll: a local HTTP server answers as Queue Server does without the
// route (404 naming no field) and as the announced GET /jobs/{id}/wait and `Prefer: wait` do (200 with the finished
// job, 202 with the job as it is at the timeout). client.test.js waits on the real server, whichever it has.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { QueueClient, QueueError } from '../src/index.js';

/** A server whose answers are scripted per "METHOD path": a list taken one by one, the last one repeated. */
async function scripted(script) {
  const asked = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    asked.push({ method: req.method, path: url.pathname, query: url.search, prefer: req.headers.prefer });
    const answers = script[`${req.method} ${url.pathname}`] ?? [[404, { title: 'Not Found', status: 404, detail: 'no such resource' }]];
    const [status, body, headers = {}] = answers.length > 1 ? answers.shift() : answers[0];
    res.writeHead(status, { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers })
      .end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { client: new QueueClient({ url: `http://127.0.0.1:${server.address().port}` }), asked,
    close: () => new Promise((resolve) => server.close(resolve)) };
}

const working = { id: 7, state: 'working' };
const done = { id: 7, state: 'done', return_code: 200 };

describe('wait', () => {
  it('uses GET /jobs/{id}/wait where the server has it, asking again after a 202', async () => {
    const s = await scripted({ 'GET /jobs/7/wait': [[202, working], [200, done]] });
    try {
      assert.deepEqual(await s.client.wait(7, { timeout: 10 }), done);
      assert.equal(s.client.waitRoute, true);
      assert.deepEqual(s.asked.map((a) => a.path), ['/jobs/7/wait', '/jobs/7/wait']);
      assert.match(s.asked[0].query, /^\?timeout=(9|10)$/);
    } finally {
      await s.close();
    }
  });

  it('polls GET /jobs/{id} when the server has no such route (404 without a field, or 405), and remembers', async () => {
    for (const missing of [[404, { status: 404, detail: 'no such resource' }], [405, { status: 405 }]]) {
      const s = await scripted({ 'GET /jobs/7/wait': [missing], 'GET /jobs/7': [[200, working], [200, working], [200, done]] });
      try {
        assert.deepEqual(await s.client.wait(7, { timeout: 10 }), done);
        assert.equal(s.client.waitRoute, false);
        await s.client.wait(7, { timeout: 10 });
        assert.deepEqual(s.asked.map((a) => a.path), ['/jobs/7/wait', '/jobs/7', '/jobs/7', '/jobs/7', '/jobs/7']);
      } finally {
        await s.close();
      }
    }
  });

  it('an unknown job (404 naming the id) is an error, not a missing route', async () => {
    const s = await scripted({ 'GET /jobs/7/wait': [[404, { status: 404, detail: 'job 7 not found', field: 'id' }]] });
    try {
      const error = await s.client.wait(7, { timeout: 5 }).catch((e) => e);
      assert.ok(error instanceof QueueError);
      assert.equal(error.field, 'id');
      assert.equal(s.asked.length, 1);
    } finally {
      await s.close();
    }
  });

  it('submit with wait sends Prefer: wait=N and waits for the rest after a 202', async () => {
    const s = await scripted({ 'POST /jobs': [[202, working, { Location: '/jobs/7' }]], 'GET /jobs/7/wait': [[200, done]] });
    try {
      assert.deepEqual(await s.client.submit({ command: { type: 'http', url: 'https://x' } }, { wait: 5 }), done);
      assert.equal(s.asked[0].prefer, 'wait=5');
      assert.match(s.asked[1].query, /^\?timeout=[1-5]$/);
    } finally {
      await s.close();
    }
  });

  it('a long poll that answers at once does not turn into a busy loop', async () => {
    const s = await scripted({ 'GET /jobs/7/wait': [[202, working]], 'GET /jobs/7': [[200, working]] });
    try {
      await assert.rejects(s.client.wait(7, { timeout: 1.5 }), { name: 'WaitTimeoutError' });
      assert.ok(s.asked.length < 10, `${s.asked.length} requests in 1.5 s`);
    } finally {
      await s.close();
    }
  });
});
