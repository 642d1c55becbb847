'use strict';
// The server's API as the dashboard uses it. A token typed by the user is kept in sessionStorage and sent as
// "Authorization: Bearer"; it never goes into a URL. The event stream is read with fetch (EventSource cannot send
// headers), so it is authenticated the same way.
const Api = (() => {
  const BASE = '../';
  const TOKEN_KEY = 'queue-server.token';
  let tokenPrompt = null;

  class ApiError extends Error {
    constructor(status, problem) {
      const detail = problem && (problem.detail || problem.title || problem.data);
      super(detail ? String(detail) : 'HTTP ' + status);
      this.status = status;
      this.field = problem && problem.field;
    }
    describe() {
      const where = this.field ? ' (' + this.field + ')' : '';
      return this.message + where + ' [' + this.status + ']';
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function headers(extra) {
    const h = Object.assign({Accept: 'application/json'}, extra || {});
    const t = token();
    if (t) {
      h.Authorization = 'Bearer ' + t;
    }
    return h;
  }

  // One prompt at a time: every request refused with 401 waits for the same answer.
  function askToken(reason) {
    if (!tokenPrompt) {
      tokenPrompt = new Promise(resolve => {
        const dialog = document.getElementById('token-dialog');
        const input = document.getElementById('token-input');
        document.getElementById('token-reason').textContent = reason || '';
        input.value = '';
        dialog.addEventListener('close', () => {
          if (dialog.returnValue === 'ok' && input.value.trim()) {
            sessionStorage.setItem(TOKEN_KEY, input.value.trim());
          } else if (dialog.returnValue === 'forget') {
            sessionStorage.removeItem(TOKEN_KEY);
          }
          tokenPrompt = null;
          resolve(Boolean(token()));
        }, {once: true});
        dialog.showModal();
        input.focus();
      });
    }
    return tokenPrompt;
  }

  async function problemOf(response) {
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      return {detail: text.slice(0, 300) || response.statusText};
    }
  }

  async function send(method, path, body, extraHeaders) {
    for (let attempt = 0; ; attempt++) {
      const init = {method, headers: headers(extraHeaders), cache: 'no-store', credentials: 'same-origin'};
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers['Content-Type'] = 'application/json';
      }
      const response = await fetch(BASE + path, init);
      if (response.status === 401 && attempt < 3) {
        const again = await askToken(token() ? 'The server refused this token. Enter another one.' : undefined);
        if (again) {
          continue;
        }
      }
      if (!response.ok) {
        throw new ApiError(response.status, await problemOf(response));
      }
      return response;
    }
  }

  async function json(method, path, body) {
    const response = await send(method, path, body);
    return response.status === 204 ? null : response.json();
  }

  // Reads a text/event-stream body; calls onEvent(name, data) per event and reconnects with backoff for ever.
  function events(onEvent, onState) {
    let delay = 500;
    const parse = block => {
      let name = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) {
          name = line.slice(6).trim();
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
      }
      if (data.length) {
        onEvent(name, data.join('\n'));
      }
    };
    (async function loop() {
      for (;;) {
        try {
          const response = await send('GET', 'jobs/events', undefined, {Accept: 'text/event-stream'});
          onState('live');
          delay = 500;
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const {value, done} = await reader.read();
            if (done) {
              break;
            }
            buffer += value;
            let end;
            while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
              parse(buffer.slice(0, end));
              buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
            }
          }
        } catch (e) {
          onState('offline', e);
        }
        onState('reconnecting');
        await new Promise(r => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10000);
      }
    })();
  }

  return {
    ApiError,
    askToken,
    hasToken: () => Boolean(token()),
    access: () => json('GET', 'management/access'),
    list: params => json('GET', 'jobs?' + new URLSearchParams(params)),
    job: id => json('GET', 'jobs/' + encodeURIComponent(id)),
    submit: job => json('POST', 'jobs', job),
    remove: id => json('DELETE', 'jobs/' + encodeURIComponent(id)),
    cancel: id => json('POST', 'jobs/' + encodeURIComponent(id) + '/cancel'),
    retry: id => json('POST', 'jobs/' + encodeURIComponent(id) + '/retry'),
    retryAll: params => json('POST', 'jobs/retry?' + new URLSearchParams(params)),
    // batches and workflows (a workflow's answer has its graph)
    batches: params => json('GET', 'batches?' + new URLSearchParams(params)),
    batch: id => json('GET', 'batches/' + encodeURIComponent(id)),
    // limits per key; the key "*" is the whole queue
    limits: () => json('GET', 'limits'),
    setLimit: (key, rule) => json('PUT', 'limits/' + encodeURIComponent(key), rule),
    removeLimit: key => json('DELETE', 'limits/' + encodeURIComponent(key)),
    pauseLimit: key => json('POST', 'limits/' + encodeURIComponent(key) + '/pause'),
    resumeLimit: key => json('POST', 'limits/' + encodeURIComponent(key) + '/resume'),
    // the circuit breaker of each target host
    hosts: () => json('GET', 'hosts'),
    // failed jobs back to the queue at a bounded rate, and the redrive's progress
    redrive: body => json('POST', 'redrives', body),
    redriveStatus: id => json('GET', 'redrives/' + encodeURIComponent(id)),
    stopRedrive: id => json('DELETE', 'redrives/' + encodeURIComponent(id)),
    // schedules: recurring jobs
    schedules: () => json('GET', 'schedules'),
    schedule: name => json('GET', 'schedules/' + encodeURIComponent(name)),
    scheduleRuns: (name, params) => json('GET', 'schedules/' + encodeURIComponent(name) + '/runs?' + new URLSearchParams(params)),
    putSchedule: (name, schedule) => json('PUT', 'schedules/' + encodeURIComponent(name), schedule),
    removeSchedule: name => json('DELETE', 'schedules/' + encodeURIComponent(name)),
    pauseSchedule: name => json('POST', 'schedules/' + encodeURIComponent(name) + '/pause'),
    resumeSchedule: name => json('POST', 'schedules/' + encodeURIComponent(name) + '/resume'),
    runSchedule: name => json('POST', 'schedules/' + encodeURIComponent(name) + '/run'),
    // run now: the server runs the job in the foreground and streams its output
    run: async (id, onText) => {
      const response = await send('POST', 'jobs/' + encodeURIComponent(id) + '/run', undefined, {Accept: '*/*'});
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const {value, done} = await reader.read();
        if (done) {
          return;
        }
        onText(value);
      }
    },
    events,
  };
})();
