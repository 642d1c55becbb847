#!/usr/bin/env node
// queue: Queue Server from the command line. Run `queue --help`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { QueueClient, QueueError, WaitTimeoutError } from '../src/index.js';

const EXIT = { ok: 0, error: 1, usage: 2, notDone: 3, timeout: 4 };

const HELP = `queue: Queue Server from the command line

  queue submit [JOB] [job options] [--wait S] [--idempotency-key K]
  queue status [ID]                 counters, or one job's status
  queue get ID                      the whole job: attempts, callbacks, output
  queue list [--state S] [--context C] [--search Q] [--limit N] [--cursor N]
  queue cancel ID
  queue retry ID | queue retry --failed [--context C]
  queue run ID | queue run JOB [job options]      runs now, streaming the output
  queue tail [--job ID] [--counters]              follows the event stream
  queue wait ID [--timeout S]                     until the job has finished (default 60 s)

JOB is a JSON file, - for standard input, or inline JSON; job options make or amend it:
  --http URL [--method M] [--header 'Name: value']... [--param name=value]... [--data JSON] [--command-timeout S]
  --exec CMD   --context C   --priority N   --concurrency-key K   --unique-key K   --delay S   --run-at TIME
  --max-attempts N   --expires-in S   --callback-done URL   --callback-failed URL

Every command: --json (JSON instead of tables), --server URL (or QUEUE_URL, default http://localhost:8080),
--token T (or QUEUE_TOKEN / QUEUE_API_TOKEN; the environment keeps it out of the process list).
Exit codes: 0 ok, 1 refused or unreachable (the problem's message on stderr), 2 usage, 3 the job ended but not
done (wait, run, submit --wait), 4 wait timed out.`;

const GLOBAL = { json: { type: 'boolean' }, server: { type: 'string' }, token: { type: 'string' },
  help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } };
const JOB = { http: { type: 'string' }, method: { type: 'string' }, header: { type: 'string', multiple: true },
  param: { type: 'string', multiple: true }, data: { type: 'string' }, 'command-timeout': { type: 'string' },
  exec: { type: 'string' }, context: { type: 'string' }, priority: { type: 'string' },
  'concurrency-key': { type: 'string' }, 'unique-key': { type: 'string' }, delay: { type: 'string' },
  'run-at': { type: 'string' }, 'max-attempts': { type: 'string' }, 'expires-in': { type: 'string' },
  'callback-done': { type: 'string' }, 'callback-failed': { type: 'string' } };
const COMMANDS = {
  submit: { ...JOB, wait: { type: 'string' }, 'idempotency-key': { type: 'string' } },
  status: {},
  get: {},
  list: { state: { type: 'string' }, context: { type: 'string' }, search: { type: 'string' },
    limit: { type: 'string' }, cursor: { type: 'string' } },
  cancel: {},
  retry: { failed: { type: 'boolean' }, context: { type: 'string' } },
  run: JOB,
  tail: { job: { type: 'string' }, counters: { type: 'boolean' } },
  wait: { timeout: { type: 'string' } },
};

class UsageError extends Error {}

async function main(argv) {
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    return EXIT.ok;
  }
  if (!(name in COMMANDS)) {
    throw new UsageError(`unknown command '${name}' (one of ${Object.keys(COMMANDS).join(', ')})`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv.slice(1), options: { ...GLOBAL, ...COMMANDS[name] }, allowPositionals: true });
  } catch (e) {
    throw new UsageError(e.message);
  }
  const { values: o, positionals: args } = parsed;
  if (o.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const client = QueueClient.fromEnv(process.env, { ...(o.server ? { url: o.server } : {}), ...(o.token ? { token: o.token } : {}) });
  const out = new Output(o.json);
  return commands[name](client, o, args, out);
}

const commands = {
  async submit(client, o, args, out) {
    const job = buildJob(o, args);
    const wait = o.wait === undefined ? undefined : number(o.wait, '--wait');
    const submitting = client.submit(job, { idempotencyKey: o['idempotency-key'], wait });
    if (wait === undefined) {
      out.job(await submitting);
      return EXIT.ok;
    }
    return finished(submitting, out);
  },

  async status(client, o, args, out) {
    const id = optionalId(args);
    const data = await client.status(id);
    out.record(data, id === undefined ? 'counters' : `job ${id}`);
    return EXIT.ok;
  },

  async get(client, o, args, out) {
    const job = await client.get(requiredId(args));
    out.job(job, { full: true });
    return EXIT.ok;
  },

  async list(client, o, args, out) {
    noArgs(args);
    const page = await client.list({ state: o.state, context: o.context, q: o.search,
      limit: o.limit && number(o.limit, '--limit'), cursor: o.cursor });
    out.list(page);
    return EXIT.ok;
  },

  async cancel(client, o, args, out) {
    out.job(await client.cancel(requiredId(args)));
    return EXIT.ok;
  },

  async retry(client, o, args, out) {
    if (o.failed) {
      noArgs(args);
      const retried = await client.retryFailed({ context: o.context });
      out.line({ retried }, `${retried} failed job${retried === 1 ? '' : 's'} queued again`);
      return EXIT.ok;
    }
    if (o.context) {
      throw new UsageError('--context goes with --failed');
    }
    out.job(await client.retry(requiredId(args)));
    return EXIT.ok;
  },

  async run(client, o, args, out) {
    const onOutput = out.json ? undefined : (text) => process.stdout.write(text);
    const existing = args.length === 1 && /^\d+$/.test(args[0]) && !Object.keys(o).some((k) => k in JOB);
    const result = existing ? await client.run(args[0], { onOutput })
      : await client.submitAndRun(buildJob(o, args), { onOutput });
    if (out.json) {
      out.print(result);
    }
    return result.state === 'done' ? EXIT.ok : EXIT.notDone;
  },

  async tail(client, o, args, out) {
    noArgs(args);
    const only = o.job === undefined ? undefined : Number(requiredId([o.job]));
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    try {
      for await (const { event, data } of client.events({ signal: stop.signal })) {
        const wanted = event === 'job' ? only === undefined || data.id === only
          : event === 'counters' ? o.counters : event === 'hello';
        if (wanted) {
          out.event(event, data);
        }
      }
    } catch (e) {
      if (!stop.signal.aborted) {
        throw e;
      }
    }
    return EXIT.ok;
  },

  async wait(client, o, args, out) {
    const id = requiredId(args);
    return finished(client.wait(id, { timeout: o.timeout === undefined ? 60 : number(o.timeout, '--timeout') }), out);
  },
};

/** Shows the finished job (exit 0 when done, 3 otherwise), or the job as last seen when the wait timed out (4). */
async function finished(waiting, out) {
  try {
    const job = await waiting;
    out.job(job, { full: true });
    return job.state === 'done' ? EXIT.ok : EXIT.notDone;
  } catch (e) {
    if (e instanceof WaitTimeoutError) {
      out.job(e.job);
      console.error(`queue: ${e.message}`);
      return EXIT.timeout;
    }
    throw e;
  }
}

/** The job of JOB (file, -, inline JSON) amended by the job options. */
function buildJob(o, args) {
  if (args.length > 1) {
    throw new UsageError(`one JOB at most, got ${args.length} arguments`);
  }
  const job = args.length ? readJob(args[0]) : {};
  const command = job.command ?? {};
  if (o.http !== undefined && o.exec !== undefined) {
    throw new UsageError('--http or --exec, not both');
  }
  if (o.http !== undefined) {
    Object.assign(command, { type: 'http', url: o.http });
  }
  if (o.exec !== undefined) {
    Object.assign(command, { type: 'exec', cmd: o.exec });
  }
  set(command, 'method', o.method);
  set(command, 'timeout', o['command-timeout'] && number(o['command-timeout'], '--command-timeout'));
  if (o.data !== undefined) {
    command.json = parseJson(o.data, '--data');
  }
  for (const h of o.header ?? []) {
    const colon = h.indexOf(':');
    if (colon < 1) {
      throw new UsageError(`--header '${h}' is not 'Name: value'`);
    }
    command.headers = { ...command.headers, [h.slice(0, colon).trim()]: h.slice(colon + 1).trim() };
  }
  for (const p of o.param ?? []) {
    const eq = p.indexOf('=');
    if (eq < 1) {
      throw new UsageError(`--param '${p}' is not 'name=value'`);
    }
    command.params = { ...command.params, [p.slice(0, eq)]: p.slice(eq + 1) };
  }
  if (Object.keys(command).length) {
    job.command = command;
  }
  set(job, 'context', o.context);
  set(job, 'priority', o.priority && number(o.priority, '--priority'));
  set(job, 'concurrency_key', o['concurrency-key']);
  set(job, 'unique_key', o['unique-key']);
  set(job, 'delay', o.delay && number(o.delay, '--delay'));
  set(job, 'run_at', o['run-at']);
  set(job, 'max_attempts', o['max-attempts'] && number(o['max-attempts'], '--max-attempts'));
  set(job, 'expires_in', o['expires-in'] && number(o['expires-in'], '--expires-in'));
  for (const kind of ['done', 'failed']) {
    const url = o[`callback-${kind}`];
    if (url !== undefined) {
      job[`callback_${kind}`] = { type: 'http', url, method: 'POST' };
    }
  }
  if (!job.command) {
    throw new UsageError('a job needs a command: give JOB, --http URL or --exec CMD');
  }
  return job;
}

function readJob(arg) {
  const text = arg === '-' ? readFileSync(0, 'utf8') : arg.trimStart().startsWith('{') ? arg : readFile(arg);
  const job = parseJson(text, arg === '-' ? 'standard input' : arg.trimStart().startsWith('{') ? 'JOB' : arg);
  if (job === null || typeof job !== 'object' || Array.isArray(job)) {
    throw new UsageError('JOB must be a JSON object');
  }
  return job;
}

function readFile(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e.code ?? e.message}`);
  }
}

function parseJson(text, where) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where} is not JSON: ${e.message}`);
  }
}

function set(target, name, value) {
  if (value !== undefined && value !== '') {
    target[name] = value;
  }
}

function number(text, option) {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`${option} must be a number, not '${text}'`);
  }
  return n;
}

function requiredId(args) {
  if (args.length !== 1 || !/^\d+$/.test(args[0])) {
    throw new UsageError(args.length === 1 ? `'${args[0]}' is not a job id` : 'give one job id');
  }
  return args[0];
}

function optionalId(args) {
  return args.length === 0 ? undefined : requiredId(args);
}

function noArgs(args) {
  if (args.length) {
    throw new UsageError(`unexpected argument '${args[0]}'`);
  }
}

/** Tables for people, or JSON (one document; one line per event for tail). */
class Output {
  constructor(json) {
    this.json = Boolean(json);
  }

  print(value) {
    console.log(JSON.stringify(value, null, this.json ? 2 : 0));
  }

  line(value, text) {
    return this.json ? this.print(value) : console.log(text);
  }

  record(data, title) {
    if (this.json) {
      return this.print(data);
    }
    console.log(title);
    console.log(columns(Object.entries(data).map(([k, v]) => [`  ${k}`, show(v)])));
  }

  job(job, { full = false } = {}) {
    if (this.json) {
      return this.print(job);
    }
    const rows = [['id', job.id], ['state', job.state], ['context', job.context],
      ['concurrency_key', job.concurrency_key], ['type', job.type], ['priority', job.priority],
      ['attempt', `${job.attempt} of ${job.max_attempts}`], ['created_at', time(job.created_at)],
      ['run_at', time(job.run_at)], ['started_at', time(job.started_at)], ['finished_at', time(job.finished_at)],
      ['return_code', job.return_code], ['error', job.error], ['unique_key', job.unique_key],
      ['progress', job.progress && `${job.progress.percent} % ${job.progress.message ?? ''}`.trim()],
      ['next_run', job.next_run && `${time(job.next_run.at)} (${job.next_run.why})`],
      ['held_by', job.held_by?.length ? job.held_by.join('; ') : null]]
      .filter(([, v]) => v !== null && v !== undefined && v !== '');
    console.log(columns(rows.map(([k, v]) => [k, show(v)])));
    if (full && job.attempts?.length) {
      console.log('\nattempts');
      console.log(columns([['  #', 'NODE', 'STARTED', 'ENDED', 'OUTCOME', 'RC', 'ERROR'],
        ...job.attempts.map((a) => [`  ${a.attempt}`, a.node, time(a.started_at), time(a.finished_at), a.outcome,
          a.return_code, cut(a.error, 60)].map(show))]));
    }
    if (full && job.callbacks?.length) {
      console.log('\ncallbacks');
      console.log(columns([['  KIND', 'STATE', 'ATTEMPTS', 'RC', 'ERROR'],
        ...job.callbacks.map((c) => [`  ${c.kind}`, c.state, c.attempts, c.return_code, cut(c.error, 60)].map(show))]));
    }
    if (full && job.output) {
      console.log(`\noutput\n${job.output}`);
    }
  }

  list(page) {
    if (this.json) {
      return this.print(page);
    }
    console.log(columns([['ID', 'STATE', 'CONTEXT', 'TYPE', 'PRIORITY', 'ATTEMPT', 'CREATED', 'RC', 'ERROR'],
      ...page.jobs.map((j) => [j.id, j.state, j.context, j.type, j.priority, `${j.attempt}/${j.max_attempts}`,
        time(j.created_at), j.return_code, cut(j.error, 50)].map(show))]));
    if (page.next_cursor !== null && page.next_cursor !== undefined) {
      console.log(`(more: --cursor ${page.next_cursor})`);
    }
  }

  event(event, data) {
    if (this.json) {
      return console.log(JSON.stringify({ event, data }));
    }
    const now = new Date().toISOString().slice(11, 19);
    if (event === 'job') {
      const extra = [data.context && `context ${data.context}`, data.return_code != null && `rc ${data.return_code}`,
        data.percent != null && `${data.percent} %`, data.message, data.error].filter(Boolean).join(', ');
      console.log(`${now}  job ${data.id} ${data.kind}: ${data.state}${extra ? `  (${extra})` : ''}`);
    } else if (event === 'counters') {
      console.log(`${now}  waiting ${data.waiting}, working ${data.working}, done ${data.done}, failed ${data.failed}`);
    } else {
      console.log(`${now}  connected to node ${data.node}`);
    }
  }
}

function columns(rows) {
  const widths = [];
  for (const row of rows) {
    row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, String(cell).length); });
  }
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? String(cell) : String(cell).padEnd(widths[i])))
    .join('  ').trimEnd()).join('\n');
}

function show(value) {
  return value === null || value === undefined ? '-' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function cut(text, max) {
  return text && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** RFC 3339 with microseconds, shown to the second. */
function time(value) {
  return value ? value.replace(/\.\d+Z$/, 'Z') : value;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  if (e instanceof UsageError) {
    console.error(`queue: ${e.message}\n(queue --help shows the commands)`);
    process.exitCode = EXIT.usage;
  } else if (e instanceof QueueError) {
    console.error(`queue: ${e.message}`);
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(e.problem));
    }
    process.exitCode = EXIT.error;
  } else {
    console.error(`queue: ${e.stack ?? e}`);
    process.exitCode = EXIT.error;
  }
});
