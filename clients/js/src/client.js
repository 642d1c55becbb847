import { QueueError, WaitTimeoutError } from './errors.js';
import { serverSentEvents } from './sse.js';

/** States a job never leaves by itself. */
export const FINAL_STATES = Object.freeze(['done', 'failed', 'cancelled', 'expired']);

const VERSION = '0.1.0';
/** The longest single long poll of GET /jobs/{id}/wait; wait() asks again until its own timeout. */
const LONG_POLL_SECONDS = 30;
/** A job that waits for run-now is held back this long (it runs at once, or is cancelled). */
const HOLD_SECONDS = 86_400;

/**
 * A client of Queue Server's REST API (and of the original's routes, for applications that use them) over
 * Node's fetch. Every refusal is thrown as a {@link QueueError} carrying the problem's status, title, detail and
 * field.
 */
export class QueueClient {
  /**
   * @param {{url?: string, token?: string | null, timeout?: number, headers?: Record<string, string>,
   *          fetch?: typeof fetch}} [options] timeout: seconds per request (default 30)
   */
  constructor({ url = 'http://localhost:8080', token = null, timeout = 30, headers = {}, fetch = globalThis.fetch } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.token = token || null;
    this.timeout = timeout;
    this.headers = headers;
    this.fetch = fetch;
    /** Whether the server answers GET /jobs/{id}/wait: unknown until wait() first asks. */
    this.waitRoute = undefined;
  }

  /** A client configured by QUEUE_URL and QUEUE_TOKEN (or QUEUE_API_TOKEN). */
  static fromEnv(env = process.env, options = {}) {
    return new QueueClient({
      url: env.QUEUE_URL || undefined,
      token: env.QUEUE_TOKEN || env.QUEUE_API_TOKEN || null,
      ...options,
    });
  }

  /**
   * Submits one job: `201` with the stored job. With `wait` (seconds), asks the server to answer once the job has
   * finished (`Prefer: wait=N`) and waits for the rest of that time itself when the answer came earlier.
   * @param {object} job @param {{idempotencyKey?: string, wait?: number, headers?: Record<string, string>}} [options]
   */
  async submit(job, { idempotencyKey, wait, headers = {} } = {}) {
    const extra = { ...headers };
    if (idempotencyKey) {
      extra['Idempotency-Key'] = idempotencyKey;
    }
    if (wait) {
      extra.Prefer = `wait=${Math.ceil(wait)}`;
    }
    const started = Date.now();
    const { body } = await this.#call('POST', '/jobs', { json: jobJson(job), headers: extra, timeout: wait });
    if (!wait || FINAL_STATES.includes(body.state)) {
      return body;
    }
    try {
      return await this.wait(body.id, { timeout: Math.max(0, wait - (Date.now() - started) / 1000) });
    } catch (e) {
      throw e instanceof WaitTimeoutError ? new WaitTimeoutError(e.job, wait) : e;
    }
  }

  /** Submits jobs in one transaction (all or none): `[{id, href}, …]`. */
  async submitBatch(jobs) {
    const { body } = await this.#call('POST', '/jobs', { json: jobs.map(jobJson) });
    return body.jobs;
  }

  /** The original's `POST /jobs/add`: the new job's id. */
  async add(job) {
    const { body } = await this.#call('POST', '/jobs/add', { json: jobJson(job) });
    return Number(body.job_id);
  }

  /** `GET /jobs/{id}`: the job with output, attempts and callback deliveries. */
  async get(id) {
    return (await this.#call('GET', `/jobs/${jobId(id)}`)).body;
  }

  /**
   * Without an id the counters (`all_jobs`, `waiting`, …, `free_threads`); with one the original's status of that
   * job (`worker_status`, `state`, times, `return_code`, without output).
   */
  async status(id) {
    const path = id === undefined || id === null ? '/jobs/status' : `/jobs/status/${jobId(id)}`;
    return (await this.#call('GET', path)).body.data;
  }

  /**
   * One page of jobs, newest first: `{jobs, next_cursor}`.
   * @param {{state?: string, context?: string, q?: string, limit?: number, cursor?: number | string}} [filter]
   */
  async list(filter = {}) {
    return (await this.#call('GET', '/jobs', { query: filter })).body;
  }

  /** Every job of a filter, page after page. */
  async *listAll(filter = {}) {
    let cursor = filter.cursor;
    do {
      const page = await this.list({ ...filter, cursor });
      yield* page.jobs;
      cursor = page.next_cursor;
    } while (cursor !== null && cursor !== undefined);
  }

  /** Cancels a waiting, scheduled or running job (409 when it has finished). */
  async cancel(id) {
    return (await this.#call('POST', `/jobs/${jobId(id)}/cancel`)).body;
  }

  /** Queues a failed or cancelled job again with fresh attempts (409 otherwise). */
  async retry(id) {
    return (await this.#call('POST', `/jobs/${jobId(id)}/retry`)).body;
  }

  /** Retries every failed job (of one context): how many. */
  async retryFailed({ context } = {}) {
    return (await this.#call('POST', '/jobs/retry', { query: { state: 'failed', context } })).body.retried;
  }

  async delete(id) {
    await this.#call('DELETE', `/jobs/${jobId(id)}`);
  }

  /** From inside a running job: `{percent: 0-100, message}`. */
  async progress(id, percent, message) {
    return (await this.#call('POST', `/jobs/${jobId(id)}/progress`, { json: { percent, message } })).body;
  }

  /**
   * Waits until the job has finished and returns it. Uses the server's long poll (`GET /jobs/{id}/wait`) where it
   * has one, else polls `GET /jobs/{id}` with a growing pause (0.1 s to 2 s).
   * @param {{timeout?: number}} [options] seconds (default 60)
   * @throws {WaitTimeoutError} with the job as last seen
   */
  async wait(id, { timeout = 60 } = {}) {
    const deadline = Date.now() + timeout * 1000;
    let pause = 100;
    while (true) {
      const left = (deadline - Date.now()) / 1000;
      const asked = Date.now();
      const polled = this.waitRoute !== false && left >= 1
        ? await this.#longPoll(id, Math.min(LONG_POLL_SECONDS, Math.floor(left))) : undefined;
      const job = polled ?? await this.get(id);
      if (FINAL_STATES.includes(job.state)) {
        return job;
      }
      if (Date.now() >= deadline) {
        throw new WaitTimeoutError(job, timeout);
      }
      if (polled === undefined || Date.now() - asked < 500) { // a long poll that came back at once: no busy loop
        await sleep(Math.min(pause, deadline - Date.now()));
        pause = Math.min(pause * 1.5, 2000);
      }
    }
  }

  /** The job from the server's long poll, or undefined when the server has no such route (then remembered). */
  async #longPoll(id, seconds) {
    try {
      const { body } = await this.#call('GET', `/jobs/${jobId(id)}/wait`, {
        query: { timeout: seconds }, timeout: seconds + this.timeout,
      });
      this.waitRoute = true;
      return body;
    } catch (e) {
      // a 404 naming no field is a route the server lacks (an unknown job's 404 names `id`)
      if (e instanceof QueueError && (e.status === 405 || (e.status === 404 && !e.field))) {
        this.waitRoute = false;
        return undefined;
      }
      throw e;
    }
  }

  /**
   * Runs an existing job now on the server (`POST /jobs/{id}/run`), whatever its place in the queue, and streams
   * its output to `onOutput` as it arrives; the stream's last line is the server's outcome line
   * (`[job 42 done, return_code 200]`). Resolves to `{id, state, returnCode, error, output}`.
   * @param {{onOutput?: (text: string) => void, signal?: AbortSignal}} [options]
   */
  async run(id, { onOutput = () => {}, signal } = {}) {
    const response = await this.#send('POST', `/jobs/${jobId(id)}/run`, { signal, stream: true,
      headers: { Accept: 'text/plain, application/problem+json' } });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body) {
      const piece = decoder.decode(chunk, { stream: true });
      text += piece;
      onOutput(piece);
    }
    const last = text.lastIndexOf('\n[job ');
    const outcome = /^\[job (\d+) (done|failed), return_code (-?\d+|null)(?:, (.*))?\]\n?$/s.exec(text.slice(last + 1));
    if (last < 0 || !outcome) {
      throw new QueueError(response.status, { title: 'Incomplete run',
        detail: `the run of job ${id} ended without its outcome line` });
    }
    return {
      id: Number(outcome[1]), state: outcome[2], returnCode: outcome[3] === 'null' ? null : Number(outcome[3]),
      error: outcome[4] ?? null, output: text.slice(0, last),
    };
  }

  /**
   * Submits a job held back from the queue and runs it at once through {@link run}, streaming its output (the
   * original's `php work.php`). The job must not set `expires_at`/`expires_in`; its `run_at`/`delay` are replaced.
   * When the server has no free slot for a while, the held job is cancelled and the error thrown.
   */
  async submitAndRun(job, { onOutput, signal, slotWait = 15 } = {}) {
    if ('expires_at' in job || 'expires_in' in job) {
      throw new TypeError('a job that runs at once cannot expire: remove expires_at / expires_in');
    }
    const { run_at: ignoredRunAt, delay: ignoredDelay, ...rest } = job;
    const held = await this.submit({ ...rest, delay: HOLD_SECONDS });
    // a unique_key may have returned an older job instead: only the job held here is cancelled on failure
    const heldHere = held.state === 'scheduled' && Date.parse(held.run_at) > Date.now() + (HOLD_SECONDS - 3600) * 1000;
    const deadline = Date.now() + slotWait * 1000;
    while (true) {
      try {
        return await this.run(held.id, { onOutput, signal });
      } catch (e) {
        if (e instanceof QueueError && e.status === 503 && Date.now() < deadline) {
          await sleep((e.retryAfter ?? 1) * 1000);
          continue;
        }
        if (heldHere) {
          await this.cancel(held.id).catch(() => {});
        }
        throw e;
      }
    }
  }

  /**
   * The server's event stream (`GET /jobs/events`): `{event, data}` with event `hello`, `counters`, `throughput`
   * or `job` (data `{kind: "submitted"|"started"|"progressed"|"finished", id, state, …}`). Ends when the server
   * closes the stream, `signal` aborts it, or the loop breaks.
   * @param {{signal?: AbortSignal}} [options]
   */
  async *events({ signal } = {}) {
    const response = await this.#send('GET', '/jobs/events', { signal, stream: true,
      headers: { Accept: 'text/event-stream' } });
    yield* serverSentEvents(response.body);
  }

  async #call(method, path, options = {}) {
    const response = await this.#send(method, path, options);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
  }

  async #send(method, path, { json, query, headers = {}, timeout, signal, stream = false } = {}) {
    const url = new URL(this.url + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') {
        url.searchParams.set(name, String(value));
      }
    }
    const all = { Accept: 'application/json', 'User-Agent': `queue-server-js/${VERSION}`, ...this.headers, ...headers };
    if (this.token) {
      all.Authorization = `Bearer ${this.token}`;
    }
    if (json !== undefined) {
      all['Content-Type'] = 'application/json';
    }
    const signals = [signal, stream ? null : AbortSignal.timeout((timeout ?? 0) * 1000 + this.timeout * 1000)]
      .filter(Boolean);
    let response;
    try {
      response = await this.fetch(url, {
        method, headers: all, body: json === undefined ? undefined : JSON.stringify(json),
        signal: signals.length ? AbortSignal.any(signals) : undefined,
      });
    } catch (e) {
      if (signal?.aborted) {
        throw e;
      }
      throw new QueueError(0, { title: 'Unreachable', detail: `${method} ${url.origin}${url.pathname}: ${e.cause?.message ?? e.message}` },
        { cause: e });
    }
    if (response.ok) {
      return response;
    }
    throw await problemOf(response);
  }
}

/** The problem+json of a refused answer; the original's `{"status":404,"data":"Job not found"}` and others too. */
async function problemOf(response) {
  const text = await response.text();
  let problem;
  try {
    const body = JSON.parse(text);
    problem = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
    if (typeof problem.data === 'string' && problem.detail === undefined) {
      problem = { ...problem, detail: problem.data };
    }
  } catch {
    // a plain text answer says what went wrong; an HTML error page of a proxy or the container does not
    const plain = (response.headers.get('Content-Type') ?? '').startsWith('text/plain');
    problem = { detail: plain ? text.trim().slice(0, 500) || undefined : undefined };
  }
  problem = { title: response.statusText || undefined, ...problem };
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return new QueueError(response.status, problem, { retryAfter: Number.isNaN(retryAfter) ? null : retryAfter });
}

/** Dates become RFC 3339 text, the rest goes as it is. */
function jobJson(job) {
  if (job === null || typeof job !== 'object' || Array.isArray(job)) {
    throw new TypeError('a job is an object, e.g. {command: {type: "http", url: "https://…"}}');
  }
  const out = { ...job };
  for (const field of ['run_at', 'expires_at']) {
    if (out[field] instanceof Date) {
      out[field] = out[field].toISOString();
    }
  }
  return out;
}

function jobId(id) {
  const text = String(id);
  if (!/^\d+$/.test(text)) {
    throw new TypeError(`a job id is a number, not '${text}'`);
  }
  return text;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
