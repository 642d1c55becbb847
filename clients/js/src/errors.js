/**
 * A refused request: the server's problem+json answer (RFC 9457) as an error, or a request that never got an
 * answer (status 0).
 */
export class QueueError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {{type?: string, title?: string, detail?: string, field?: string, [k: string]: unknown}} problem
   * @param {{retryAfter?: number | null, cause?: unknown}} [more]
   */
  constructor(status, problem, more = {}) {
    const detail = problem.detail ?? problem.title ?? `HTTP ${status}`;
    super(`${detail}${problem.field ? ` (${problem.field})` : ''}${status ? ` [${status}]` : ''}`,
      more.cause === undefined ? undefined : { cause: more.cause });
    this.name = 'QueueError';
    this.status = status;
    this.type = problem.type ?? 'about:blank';
    this.title = problem.title ?? '';
    this.detail = detail;
    this.field = problem.field ?? null;
    this.problem = problem;
    /** Seconds the server asked to wait before trying again (429, 503), or null. */
    this.retryAfter = more.retryAfter ?? null;
  }

  /** The server cannot tell whether the change was committed: resend with the same Idempotency-Key. */
  get outcomeUnknown() {
    return this.type === 'urn:queue-server:problem:outcome-unknown';
  }
}

/** {@link QueueClient#wait} ran out of time; {@link job} is the job as last seen. */
export class WaitTimeoutError extends Error {
  constructor(job, seconds) {
    super(`job ${job.id} is still ${job.state} after ${seconds} s`);
    this.name = 'WaitTimeoutError';
    this.job = job;
  }
}

/** A callback whose Standard Webhooks headers or signature do not check out. */
export class WebhookVerificationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}
