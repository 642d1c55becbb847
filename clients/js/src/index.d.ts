// Types of queue-server-client (hand-written; the package runs as plain JavaScript without a build step).

export type JobState = 'waiting' | 'scheduled' | 'working' | 'done' | 'failed' | 'cancelled' | 'expired';
export const FINAL_STATES: readonly ['done', 'failed', 'cancelled', 'expired'];

export interface HttpCommand {
  type: 'http';
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Query string for GET/HEAD; a form body otherwise, or the query string when body/json is given. */
  params?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
  /** Seconds: a total deadline for connecting, waiting and reading. */
  timeout?: number;
  /** Status codes that count as success (default 2xx). */
  success?: number[];
  retry_on?: number[];
  fail_on?: number[];
  follow_redirects?: boolean;
}

export interface ExecCommand {
  type: 'exec';
  /** The executable, then its arguments; never through a shell. */
  argv?: string[];
  /** Split into words without a shell (unless the server sets QUEUE_EXEC_SHELL=true). */
  cmd?: string;
  env?: Record<string, string>;
  timeout?: number;
}

/** A custom job type of the server. */
export interface CustomCommand {
  type: string;
  [field: string]: unknown;
}

export type Command = HttpCommand | ExecCommand | CustomCommand;

/** A callback has the shape of a command; a non-GET http callback receives the result as its JSON body. */
export type Callback = Command;

export interface Backoff {
  min?: number;
  max?: number;
  multiplier?: number;
  max_doublings?: number;
  jitter?: number;
}

export interface Job {
  command: Command;
  /** Higher runs first within its concurrency key (-1,000,000 … 1,000,000; default 500). */
  priority?: number;
  context?: string;
  concurrency_key?: string;
  /** Runs when the job has finished, done or failed. */
  callback_done?: Callback;
  /** Runs only when the job failed. */
  callback_failed?: Callback;
  /** 1–100, or -1: until max_retry_duration. */
  max_attempts?: number;
  backoff?: Backoff;
  /** Seconds from the submit after which no retry is made. */
  max_retry_duration?: number;
  run_at?: string | Date;
  /** Seconds from now. */
  delay?: number;
  expires_at?: string | Date;
  expires_in?: number;
  /** A second submit with the same key returns the first job. */
  unique_key?: string;
  [field: string]: unknown;
}

export interface Attempt {
  attempt: number;
  node: string | null;
  started_at: string | null;
  finished_at: string | null;
  outcome: string;
  return_code: number | null;
  error: string | null;
}

export interface CallbackDelivery {
  kind: 'callback_done' | 'callback_failed';
  state: string;
  attempts: number;
  return_code: number | null;
  error: string | null;
  created_at: string | null;
  delivered_at: string | null;
  webhook_id: string;
}

/** A job as the REST API shows it (a list row has no output, output_headers and job). */
export interface StoredJob {
  id: number;
  state: JobState;
  worker_status: number;
  priority: number;
  context: string;
  concurrency_key: string | null;
  type: string;
  unique_key: string | null;
  created_at: string;
  run_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  attempt: number;
  max_attempts: number;
  rescues: number;
  owner: string | null;
  lease_until: string | null;
  return_code: number | null;
  error: string | null;
  progress: { percent: number; message: string | null } | null;
  snoozes?: number;
  output?: string | null;
  output_headers?: Record<string, string[]> | null;
  /** The payload as submitted, credentials masked. */
  job?: Job;
  next_run?: { at: string; why: string };
  held_by?: string[];
  attempts?: Attempt[];
  callbacks?: CallbackDelivery[];
}

export interface JobPage {
  jobs: StoredJob[];
  next_cursor: number | null;
}

export interface ListFilter {
  state?: 'all' | JobState;
  context?: string;
  /** The job id, or text in the context or the type. */
  q?: string;
  limit?: number;
  cursor?: number | string;
}

export interface Counters {
  all_jobs: number;
  waiting: number;
  working: number;
  done: number;
  failed: number;
  cancelled: number;
  expired: number;
  scheduled: number;
  max_threads: number;
  free_threads: number;
}

/** The original's status of one job (`GET /jobs/status/{id}`). */
export interface CompatStatus {
  id: number;
  worker_status: number;
  state: JobState;
  priority: number;
  context: string;
  type: string;
  time_added: string;
  time_started: string | null;
  time_completed: string | null;
  run_at: string | null;
  return_code: number | null;
  attempts: number;
  max_attempts: number;
  progress: { percent: number; message: string | null } | null;
}

export interface RunResult {
  id: number;
  state: 'done' | 'failed';
  returnCode: number | null;
  error: string | null;
  /** The output without the server's outcome line. */
  output: string;
}

export type ServerEvent =
  | { event: 'hello'; data: { node: string } }
  | { event: 'counters'; data: Counters & { node: string; dropped_events: number } }
  | { event: 'throughput'; data: unknown }
  | { event: 'job'; data: { kind: 'submitted' | 'started' | 'progressed' | 'finished' | string; id: number;
      state: JobState; context?: string; attempt?: number; node?: string; return_code?: number | null;
      error?: string | null; percent?: number; message?: string | null } }
  | { event: string; data: unknown };

export interface ClientOptions {
  /** Default http://localhost:8080. */
  url?: string;
  /** Sent as `Authorization: Bearer …`. */
  token?: string | null;
  /** Seconds per request (default 30). */
  timeout?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export class QueueClient {
  constructor(options?: ClientOptions);
  /** QUEUE_URL and QUEUE_TOKEN (or QUEUE_API_TOKEN). */
  static fromEnv(env?: Record<string, string | undefined>, options?: ClientOptions): QueueClient;
  readonly url: string;
  /** Whether the server answers GET /jobs/{id}/wait: undefined until wait() first asks. */
  waitRoute: boolean | undefined;
  /** With `wait` (seconds) resolves once the job has finished; throws WaitTimeoutError after that long. */
  submit(job: Job, options?: { idempotencyKey?: string; wait?: number; headers?: Record<string, string> }): Promise<StoredJob>;
  submitBatch(jobs: Job[]): Promise<{ id: number; href: string }[]>;
  /** The original's POST /jobs/add. */
  add(job: Job): Promise<number>;
  get(id: number | string): Promise<StoredJob>;
  status(): Promise<Counters>;
  status(id: number | string): Promise<CompatStatus>;
  list(filter?: ListFilter): Promise<JobPage>;
  listAll(filter?: ListFilter): AsyncGenerator<StoredJob>;
  cancel(id: number | string): Promise<StoredJob>;
  retry(id: number | string): Promise<StoredJob>;
  retryFailed(options?: { context?: string }): Promise<number>;
  delete(id: number | string): Promise<void>;
  progress(id: number | string, percent: number, message?: string): Promise<StoredJob>;
  /** Resolves to the finished job; throws WaitTimeoutError after `timeout` seconds (default 60). */
  wait(id: number | string, options?: { timeout?: number }): Promise<StoredJob>;
  run(id: number | string, options?: { onOutput?: (text: string) => void; signal?: AbortSignal }): Promise<RunResult>;
  submitAndRun(job: Job, options?: { onOutput?: (text: string) => void; signal?: AbortSignal; slotWait?: number }): Promise<RunResult>;
  events(options?: { signal?: AbortSignal }): AsyncGenerator<ServerEvent>;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  [member: string]: unknown;
}

export class QueueError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** The field the problem names, e.g. `command.url`. */
  readonly field: string | null;
  readonly problem: Problem;
  /** Seconds from Retry-After (429, 503), or null. */
  readonly retryAfter: number | null;
  /** The server cannot tell whether the change was committed: resend with the same Idempotency-Key. */
  readonly outcomeUnknown: boolean;
}

export class WaitTimeoutError extends Error {
  /** The job as last seen. */
  readonly job: StoredJob;
}

export class WebhookVerificationError extends Error {}

export class Webhook {
  /** The server's QUEUE_CALLBACK_SECRET (`whsec_<base64>`, or any text). `tolerance`: seconds (default 300). */
  constructor(secret: string, options?: { tolerance?: number });
  sign(id: string, timestamp: number, payload: string | Uint8Array): string;
  /** The body (parsed when it is JSON), or throws WebhookVerificationError. */
  verify(payload: string | Uint8Array, headers: Record<string, string | string[] | undefined> | Headers,
         options?: { now?: number }): unknown;
}

export function serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: unknown }>;
