'use strict';
// The dashboard: routes (#/?state=…&context=…&q=…, #/jobs/{id}, #/batches, #/batches/{id}, #/queues and
// #/schedules[/{name}]), live updates from the event stream, actions.
(() => {
  const PAGE_SIZE = 25;
  const $ = id => document.getElementById(id);
  const state = {
    view: null, filter: {state: 'all', context: '', q: '', batch: ''}, cursors: [], cursor: null, next: null,
    jobId: null, job: null, seen: [], counters: null, contexts: new Set(),
  };

  // ---- messages and confirmation ----
  let toastTimer;
  function toast(text, isError) {
    const t = $('toast');
    t.textContent = text;
    t.className = 'toast' + (isError ? ' error' : '');
    t.setAttribute('role', isError ? 'alert' : 'status');
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, isError ? 12000 : 5000);
  }

  function failed(what, e) {
    toast(what + ' refused: ' + (e instanceof Api.ApiError ? e.describe() : e.message), true);
  }

  function confirm(text, okLabel) {
    const dialog = $('confirm');
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okLabel || 'OK';
    return new Promise(resolve => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), {once: true});
      dialog.returnValue = '';
      dialog.showModal();
      $('confirm-ok').focus();
    });
  }

  // ---- throttled reloads: many events in a burst cause one request ----
  function throttled(fn, ms) {
    let timer = null;
    let again = false;
    return () => {
      if (timer) {
        again = true;
        return;
      }
      fn();
      timer = setTimeout(function release() {
        timer = null;
        if (again) {
          again = false;
          fn();
          timer = setTimeout(release, ms);
        }
      }, ms);
    };
  }
  // the job table is the Jobs page, and the lower half of a batch's page (filtered by the batch)
  const listShown = () => state.view === 'list' || state.view === 'batch';
  const refreshList = throttled(() => listShown() && loadList(), 700);
  const refreshJob = throttled(() => state.view === 'job' && loadJob(), 500);

  // ---- routing ----
  function route() {
    const hash = location.hash.replace(/^#/, '') || '/';
    const job = hash.match(/^\/jobs\/(\d+)$/);
    if (job) {
      showJob(job[1]);
      return;
    }
    if (hash === '/queues') {
      showView('queues');
      state.jobId = null;
      document.title = 'Queues · Queue Server';
      return;
    }
    const schedule = hash.match(/^\/schedules(?:\/([^/?]+))?$/);
    if (schedule) {
      showView('schedules');
      state.jobId = null;
      const name = schedule[1] ? decodeURIComponent(schedule[1]) : null;
      document.title = (name ? name + ' · ' : '') + 'Schedules · Queue Server';
      Schedules.show(name);
      return;
    }
    if (hash === '/batches') {
      showView('batches');
      state.jobId = null;
      $('main').focus({preventScroll: true});
      Batches.showList();
      return;
    }
    const batch = hash.match(/^\/batches\/(\d+)(\?|$)/);
    const view = batch ? 'batch' : 'list';
    const params = new URLSearchParams(hash.split('?')[1] || '');
    const filter = {state: params.get('state') || 'all', context: params.get('context') || '', q: params.get('q') || '',
      batch: batch ? batch[1] : ''};
    const another = state.view !== view || filter.batch !== state.filter.batch;
    if (JSON.stringify(filter) !== JSON.stringify(state.filter) || state.view !== view) {
      state.cursors = [];
      state.cursor = null;
    }
    state.filter = filter;
    showList(view);
    if (batch) {
      if (another) {
        $('main').focus({preventScroll: true});
      }
      Batches.showBatch(batch[1], filter.state);
    }
  }

  function filterHash(filter) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) {
      if (v && k !== 'batch' && !(k === 'state' && v === 'all')) {
        p.set(k, v);
      }
    }
    const s = p.toString();
    return (filter.batch ? '#/batches/' + filter.batch : '#/') + (s ? '?' + s : '');
  }

  function showView(view) {
    state.view = view;
    const shown = view === 'batch' ? ['batch', 'list'] : [view];
    for (const v of ['list', 'job', 'queues', 'schedules', 'batches', 'batch']) {
      $(v + '-view').hidden = !shown.includes(v);
    }
    document.body.dataset.view = view;
    const current = {queues: 'nav-queues', schedules: 'nav-schedules', batches: 'nav-batches', batch: 'nav-batches'}[view]
      || 'nav-jobs';
    document.querySelectorAll('.nav a').forEach(a => {
      if (a.id === current) {
        a.setAttribute('aria-current', 'page');
      } else {
        a.removeAttribute('aria-current');
      }
    });
    if (view === 'queues') {
      Queues.show();
    } else {
      Queues.hide();
    }
    if (view !== 'schedules') {
      Schedules.hide();
    }
    if (view !== 'batches' && view !== 'batch') {
      Batches.hide();
    }
  }

  // ---- job list ----
  function showList(view) {
    showView(view);
    state.jobId = null;
    Redrive.offer(state.filter);
    $('f-state').value = state.filter.state;
    $('f-context').value = state.filter.context;
    if (document.activeElement !== $('f-q')) {
      $('f-q').value = state.filter.q;
    }
    if (view === 'list') {
      document.title = 'Jobs · Queue Server';
    }
    loadList();
  }

  async function loadList() {
    const params = {state: state.filter.state, limit: PAGE_SIZE};
    if (state.filter.context) {
      params.context = state.filter.context;
    }
    if (state.filter.q) {
      params.q = state.filter.q;
    }
    if (state.filter.batch) {
      params.batch = state.filter.batch;
    }
    if (state.cursor) {
      params.cursor = state.cursor;
    }
    const shown = () => JSON.stringify([state.view, state.filter, state.cursor]);
    const asked = shown();
    try {
      const page = await Api.list(params);
      if (asked !== shown()) {
        return;
      }
      const rows = $('job-rows');
      rows.replaceChildren(...page.jobs.map(Views.row));
      $('empty').hidden = page.jobs.length > 0;
      state.next = page.next_cursor;
      Views.showPage('older', 'newer', 'page-info', state);
      rows.setAttribute('aria-busy', 'false');
      page.jobs.forEach(j => rememberContext(j.context));
    } catch (e) {
      failed('Loading jobs', e);
    }
  }

  function rememberContext(context) {
    if (context && !state.contexts.has(context) && state.contexts.size < 200) {
      state.contexts.add(context);
      $('contexts').append(Views.el('option', {value: context}));
    }
  }

  // ---- job page ----
  function showJob(id) {
    if (state.jobId !== id) {
      state.seen = [];
      $('job-output').textContent = '';
      $('job-payload').textContent = '';
      $('job-facts').replaceChildren();
    }
    showView('job');
    state.jobId = id;
    $('job-title').textContent = 'Job #' + id;
    document.title = 'Job #' + id + ' · Queue Server';
    $('main').focus({preventScroll: true});
    loadJob();
  }

  async function loadJob() {
    const id = state.jobId;
    try {
      const job = await Api.job(id);
      if (state.jobId !== id) {
        return;
      }
      state.job = job;
      renderJob(job, job.callbacks || []);
    } catch (e) {
      if (e.status === 404) {
        $('job-state').replaceChildren('not found');
        $('job-facts').replaceChildren();
        $('job-output').textContent = '';
        $('job-payload').textContent = '';
        setActions(null);
      }
      failed('Loading job ' + id, e);
    }
  }

  function renderJob(job, callbacks) {
    $('job-state').replaceChildren(Views.stateBadge(job.state));
    $('job-view').setAttribute('data-state', job.state);
    $('job-facts').replaceChildren(...Views.facts(job));
    const progress = job.progress;
    $('progress').hidden = !progress;
    if (progress) {
      $('progress-fill').style.width = Math.max(0, Math.min(100, progress.percent)) + '%';
      $('progress').querySelector('.bar').setAttribute('aria-valuenow', String(progress.percent));
      $('progress-label').textContent = progress.percent + '%' + (progress.message ? ' — ' + Views.maskText(progress.message) : '');
    }
    $('job-error').hidden = !job.error;
    $('job-error').textContent = job.error ? 'Error: ' + Views.maskText(job.error) : '';
    if (!$('job-output').dataset.streaming) {
      $('job-output').textContent = job.output === null ? (job.state === 'working' ? '(running…)' : '(no output)')
        : Views.maskText(job.output);
    }
    $('job-payload').textContent = JSON.stringify(Views.mask(job.job), null, 2);
    $('timeline').replaceChildren(...Views.timeline(job, callbacks, state.seen));
    $('callbacks').replaceChildren(...Views.callbackRows(callbacks));
    setActions(job.state);
  }

  // what the token may do: read < submit < admin; buttons it may not use are hidden, not merely disabled
  async function showAccess() {
    let access = {scope: 'read', contexts: []};
    try {
      access = await Api.access();
    } catch (e) {
      // unknown: show the least
    }
    const scope = access.scope;
    document.body.dataset.scope = scope;
    $('scope').textContent = scope === 'admin' ? '' : scope + (access.contexts.length ? ': ' + access.contexts.join(', ') : '');
    $('new-job').hidden = scope === 'read';
    $('retry-all').hidden = scope !== 'admin';
    Redrive.allow(scope === 'admin' && access.contexts.length === 0);
    // limits span every context, so a token limited to some cannot read them
    $('nav-queues').hidden = access.contexts.length > 0;
    document.querySelectorAll('#job-view [data-action]').forEach(b => { b.hidden = scope !== 'admin'; });
  }

  function setActions(jobState) {
    const allowed = {
      run: ['waiting', 'scheduled', 'failed', 'cancelled'].includes(jobState),
      cancel: ['waiting', 'scheduled', 'working'].includes(jobState),
      retry: ['failed', 'cancelled'].includes(jobState),
      delete: jobState !== null,
    };
    document.querySelectorAll('#job-view [data-action]').forEach(b => { b.disabled = !allowed[b.dataset.action]; });
  }

  async function act(action) {
    const id = state.jobId;
    const questions = {
      run: ['Run job #' + id + ' now, in the foreground? Its output is shown as it comes.', 'Run now'],
      cancel: ['Cancel job #' + id + '? A running attempt is stopped.', 'Cancel job'],
      retry: ['Queue job #' + id + ' again for one more attempt?', 'Retry'],
      delete: ['Delete job #' + id + ' and its callback records? This cannot be undone.', 'Delete'],
    };
    if (!await confirm(...questions[action])) {
      return;
    }
    try {
      if (action === 'delete') {
        await Api.remove(id);
        toast('Job #' + id + ' deleted.');
        location.hash = filterHash(state.filter);
        return;
      }
      if (action === 'run') {
        const out = $('job-output');
        out.dataset.streaming = '1';
        out.textContent = '';
        try {
          await Api.run(id, text => { out.textContent += Views.maskText(text); });
        } finally {
          delete out.dataset.streaming;
        }
        toast('Job #' + id + ' ran.');
      } else {
        await Api[action](id);
        toast({cancel: 'Job #' + id + ' cancelled.', retry: 'Job #' + id + ' queued again.'}[action]);
      }
    } catch (e) {
      failed({run: 'Run now', cancel: 'Cancel', retry: 'Retry'}[action] + ' of job #' + id, e);
    }
    loadJob();
  }

  async function retryAll() {
    // the server retries by state and context; a search text cannot narrow it, so the question says so
    const scope = state.filter.context ? 'in context “' + state.filter.context + '”' : 'in every context';
    const note = state.filter.q ? ' The search text is not applied: every failed job ' + scope + ' is retried.' : '';
    if (!await confirm('Queue every failed job ' + scope + ' again?' + note, 'Retry all failed')) {
      return;
    }
    try {
      const params = {state: 'failed'};
      if (state.filter.context) {
        params.context = state.filter.context;
      }
      const answer = await Api.retryAll(params);
      toast(answer.retried + ' failed job' + (answer.retried === 1 ? '' : 's') + ' queued again.');
      loadList();
    } catch (e) {
      failed('Retry all', e);
    }
  }

  // ---- submitting a job ----
  function jobFromForm(form) {
    const f = new FormData(form);
    const raw = String(f.get('json') || '').trim();
    if (raw) {
      try {
        return JSON.parse(raw);
      } catch (e) {
        throw new Api.ApiError(400, {detail: 'not valid JSON: ' + e.message, field: 'json'});
      }
    }
    const job = {context: f.get('context') || 'default', command: {type: 'http', url: f.get('url'), method: f.get('method')}};
    const number = name => (f.get(name) === '' || f.get(name) === null ? undefined : Number(f.get(name)));
    if (number('priority') !== undefined) {
      job.priority = number('priority');
    }
    if (number('timeout') !== undefined) {
      job.command.timeout = number('timeout');
    }
    if (number('max_attempts') !== undefined) {
      job.max_attempts = number('max_attempts');
    }
    if (number('delay')) {
      job.delay = number('delay');
    }
    return job;
  }

  async function submitJob(event) {
    event.preventDefault();
    const form = $('submit-form');
    const error = $('submit-error');
    error.hidden = true;
    form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
    try {
      const created = await Api.submit(jobFromForm(form));
      $('submit-dialog').close();
      toast('Job #' + created.id + ' submitted.');
      refreshList();
    } catch (e) {
      error.textContent = e instanceof Api.ApiError ? e.describe() : e.message;
      error.hidden = false;
      const name = e.field ? String(e.field).replace(/^command\./, '').split(/[.[]/)[0] : null;
      const input = name && form.elements[name];
      if (input && input.focus) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    }
  }

  // ---- live ----
  function onEvent(name, data) {
    const payload = JSON.parse(data);
    if (name === 'counters') {
      showCounters(payload);
    } else if (name === 'throughput') {
      Chart.history(payload);
    } else if (name === 'job') {
      onJobEvent(payload);
    } else if (name === 'batch') {
      Batches.onBatchEvent(payload);
    }
  }

  function showCounters(c) {
    const previous = state.counters;
    state.counters = c;
    for (const k of ['waiting', 'working', 'done', 'failed', 'cancelled']) {
      $('c-' + k).textContent = c[k].toLocaleString('en');
    }
    $('c-threads').textContent = (c.max_threads - c.free_threads) + ' / ' + c.max_threads;
    Chart.counters(c);
    const changed = !previous || ['all_jobs', 'waiting', 'working', 'done', 'failed', 'cancelled', 'dropped_events']
      .some(k => previous[k] !== c[k]);
    if (changed) {
      refreshList();
    }
    if (state.view === 'job' && state.job && (state.job.state === 'working' || changed)) {
      refreshJob();
    }
    Batches.onCounters(changed);
  }

  function onJobEvent(e) {
    rememberContext(e.context);
    Batches.onJobEvent(e);
    if (listShown()) {
      refreshList();
    } else if (state.view === 'job' && String(e.id) === state.jobId) {
      if (e.kind === 'progressed') {
        state.seen.push({at: new Date().toISOString(), cls: 'working',
          text: 'Progress ' + e.percent + '%' + (e.message ? ': ' + Views.maskText(e.message) : '')});
      }
      refreshJob();
    }
  }

  function setLive(s) {
    const live = $('live');
    live.dataset.state = s;
    live.textContent = {live: 'live', reconnecting: 'reconnecting…', offline: 'offline', connecting: 'connecting…'}[s] || s;
  }

  // ---- wiring ----
  function init() {
    window.addEventListener('hashchange', route);
    $('filters').addEventListener('submit', e => {
      e.preventDefault();
      location.hash = filterHash({state: $('f-state').value, context: $('f-context').value.trim(), q: $('f-q').value.trim(),
        batch: state.filter.batch});
    });
    $('f-state').addEventListener('change', () => $('filters').requestSubmit());
    $('f-context').addEventListener('change', () => $('filters').requestSubmit());
    let typing;
    $('f-q').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => $('filters').requestSubmit(), 350);
    });
    $('retry-all').addEventListener('click', retryAll);
    Views.pager('older', 'newer', state, loadList);
    $('job-rows').addEventListener('click', e => {
      const tr = e.target.closest('tr[data-id]');
      if (tr && !e.target.closest('a')) {
        location.hash = '#/jobs/' + tr.dataset.id;
      }
    });
    document.querySelectorAll('#job-view [data-action]').forEach(b => b.addEventListener('click', () => act(b.dataset.action)));
    $('new-job').addEventListener('click', () => {
      $('submit-error').hidden = true;
      $('submit-dialog').showModal();
      $('submit-form').elements.url.focus();
    });
    $('submit-cancel').addEventListener('click', () => $('submit-dialog').close());
    $('submit-form').addEventListener('submit', submitJob);
    $('token-button').addEventListener('click', () => Api.askToken().then(() => { showAccess(); route(); }));
    document.addEventListener('keydown', e => {
      if (e.key === '/' && !e.target.closest('input, textarea, select, dialog') && listShown()) {
        e.preventDefault();
        $('f-q').focus();
      }
    });
    setInterval(() => Views.refreshTimes(document), 15000);
    Queues.init({toast, failed, confirm});
    Redrive.init({toast, failed, confirm});
    Schedules.init({toast, failed, confirm});
    Batches.init({failed, throttled,
      filterJobs: jobState => { location.hash = filterHash(Object.assign({}, state.filter, {state: jobState})); }});
    Chart.draw();
    showAccess();
    route();
    Api.events(onEvent, setLive);
  }

  init();
})();
