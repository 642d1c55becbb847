// What the tests against a real server share: its address and tokens from the environment (set by the Maven
// build's ClientsIT, or by hand), and a local HTTP receiver for jobs and callbacks.
import http from 'node:http';
import { QueueClient } from '../src/index.js';

const NEEDED = ['QUEUE_URL', 'QUEUE_TOKEN', 'QUEUE_TEST_READ_TOKEN', 'QUEUE_TEST_TARGET', 'QUEUE_TEST_CALLBACK_SECRET'];

/** The server under test; fails (never skips) when the environment does not name one. */
export function server() {
  const missing = NEEDED.filter((name) => !process.env[name]);
  if (missing.length) {
    throw new Error(`these tests run against a real Queue Server: set ${missing.join(', ')} `
      + '(mvn verify runs them through ClientsIT)');
  }
  return {
    url: process.env.QUEUE_URL,
    token: process.env.QUEUE_TOKEN,
    readToken: process.env.QUEUE_TEST_READ_TOKEN,
    target: process.env.QUEUE_TEST_TARGET.replace(/\/+$/, ''),
    secret: process.env.QUEUE_TEST_CALLBACK_SECRET,
    client: (token = process.env.QUEUE_TOKEN) => new QueueClient({ url: process.env.QUEUE_URL, token }),
  };
}

/** A context of its own per test run, so lists and events are told apart from those of other runs. */
export function uniqueContext(prefix) {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

/**
 * A real HTTP server on loopback that records every request with its raw body; `answer(request)` may choose the
 * status and body.
 */
export async function receiver(answer = () => ({ status: 200, body: 'ok' })) {
  const requests = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      const { status = 200, body = 'ok' } = answer(request) ?? {};
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
    requests,
    /** The first request whose path is `path`, waiting up to `ms` for it. */
    async request(path, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (true) {
        const found = requests.find((r) => new URL(r.url, 'http://x').pathname === path);
        if (found) {
          return found;
        }
        if (Date.now() > deadline) {
          throw new Error(`no request to ${path} within ${ms} ms; got ${requests.map((r) => r.url).join(', ')}`);
        }
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 200); });
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
