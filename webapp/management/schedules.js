'use strict';
// The Schedules page (#/schedules, and #/schedules/{name} with one schedule's job history): GET /schedules read again
// every 2 s while the page is shown, and the controls that change schedules (admin tokens only, see .admin-only).
const Schedules = (() => {
  const HISTORY_PAGE = 20;
  const $ = id => document.getElementById(id);
  let ui = null;
  let selected = null;
  // the history's pages: the 'before' of each page shown so far (null: the newest)
  let pages = [null];
  let nextBefore = null;
  let errors = null;
  const page = Page.polled('Loading schedules', read, render, (what, e) => ui.failed(what, e));

  async function read() {
    const name = selected;
    const before = pages[pages.length - 1];
    const [list, detail, history] = await Promise.all([Api.schedules(), name ? Api.schedule(name) : null,
      name ? Api.scheduleRuns(name, Object.assign({limit: HISTORY_PAGE}, before ? {before} : {})) : null]);
    return {name, list, detail, history};
  }

  function show(name) {
    if (name !== selected) {
      selected = name;
      pages = [null];
    }
    $('schedule-detail').hidden = !selected;
    page.show();
  }

  // ---- rendering ----
  const el = (...args) => Views.el(...args);

  function zoned(iso, zone) {
    if (!iso) {
      return '';
    }
    try {
      return new Date(iso).toLocaleString('en-GB', {timeZone: zone, dateStyle: 'medium', timeStyle: 'medium'}) + ' ' + zone;
    } catch (e) {
      return iso;
    }
  }

  function when(iso, zone) {
    if (!iso) {
      return '—';
    }
    const t = Views.time(iso);
    t.title = zoned(iso, zone) + ' (' + iso + ')';
    return t;
  }

  function stateBadge(state) {
    const looks = {active: ['done', '▶'], paused: ['cancelled', '⏸'], finished: ['expired', '⌛']}[state] || ['waiting', '?'];
    return Views.badge(looks[0], looks[1], state);
  }

  function outcome(run) {
    if (!run) {
      return '—';
    }
    const parts = [el('span', {class: 'outcome', text: run.outcome.replace('_', ' ')})];
    if (run.job_id) {
      parts.push(' ', el('a', {href: '#/jobs/' + run.job_id, text: '#' + run.job_id, 'aria-label': 'Job ' + run.job_id}));
    }
    if (run.job_state) {
      parts.push(' ', run.job_state === 'deleted' ? el('span', {class: 'muted', text: 'deleted'}) : Views.stateBadge(run.job_state));
    }
    return el('span', {class: 'last-run'}, ...parts);
  }

  function row(s) {
    const link = el('a', {href: '#/schedules/' + encodeURIComponent(s.name), text: s.name});
    return el('tr', {'data-name': s.name, 'data-state': s.state, 'aria-current': s.name === selected ? 'true' : undefined},
      el('td', {class: 'ctx'}, link),
      el('td', {}, el('code', {class: 'cron', text: s.cron}), el('div', {class: 'muted', text: s.timezone})),
      el('td', {class: 'wide cmd'}, el('code', {text: Views.commandText(s.command)}), el('div', {class: 'muted', text: s.context})),
      el('td', {class: 'next'}, s.state === 'active' ? when(s.next_fire_at, s.timezone) : '—'),
      el('td', {class: 'last'}, outcome(s.last_run)),
      el('td', {class: 'state-cell'}, stateBadge(s.state)),
      el('td', {class: 'admin-only row-actions'},
        Views.actionButton('run', 'Run now', '', s.name),
        s.paused ? Views.actionButton('resume', 'Resume', '', s.name) : Views.actionButton('pause', 'Pause', 'warn', s.name),
        Views.actionButton('edit', 'Edit', 'quiet', s.name),
        Views.actionButton('delete', 'Delete', 'danger', s.name)));
  }

  function runRow(r, zone) {
    return el('tr', {'data-fire-at': r.fire_at, 'data-outcome': r.outcome, 'data-job': r.job_id ? String(r.job_id) : undefined},
      el('td', {}, when(r.fire_at, zone), r.manual ? el('span', {class: 'muted', text: ' run now'}) : null),
      el('td', {}, el('span', {class: 'outcome', text: r.outcome.replace('_', ' ')})),
      el('td', {}, r.job_id ? el('a', {href: '#/jobs/' + r.job_id, text: '#' + r.job_id}) : '—'),
      el('td', {}, !r.job_state ? '—' : r.job_state === 'deleted' ? 'deleted' : Views.stateBadge(r.job_state)),
      el('td', {}, Views.time(r.fired_at)),
      el('td', {class: 'wide', text: r.detail || ''}));
  }

  function render({name, list, detail, history}) {
    if (name !== selected) {
      return;
    }
    $('schedule-rows').replaceChildren(...list.schedules.map(row));
    $('schedules-empty').hidden = list.schedules.length > 0;
    if (!detail) {
      return;
    }
    $('schedule-detail-title').textContent = 'History of “' + detail.name + '”';
    $('schedule-detail').dataset.name = detail.name;
    $('schedule-next').replaceChildren(...(detail.next_fire_times.length
      ? detail.next_fire_times.slice(0, 5).flatMap((t, i) => [i ? ', ' : '', el('time', {datetime: t, title: t, text: zoned(t, detail.timezone)})])
      : [detail.state === 'paused' ? 'none while paused' : 'none: the schedule has ended']));
    $('run-rows').replaceChildren(...history.runs.map(r => runRow(r, detail.timezone)));
    $('runs-empty').hidden = history.runs.length > 0;
    nextBefore = history.next_before;
    $('runs-older').disabled = !nextBefore;
    $('runs-newer').disabled = pages.length < 2;
  }

  // ---- actions ----
  async function change(action, name) {
    const calls = {run: Api.runSchedule, pause: Api.pauseSchedule, resume: Api.resumeSchedule, delete: Api.removeSchedule};
    try {
      const answer = await calls[action](name);
      ui.toast({run: 'Schedule “' + name + '” fired job #' + (answer && answer.job_id) + '.', pause: '“' + name + '” paused.',
        resume: '“' + name + '” resumed.', delete: 'Schedule “' + name + '” deleted; its jobs stay.'}[action]);
      if (action === 'delete' && selected === name) {
        location.hash = '#/schedules';
      }
    } catch (e) {
      ui.failed({run: 'Run now', pause: 'Pause', resume: 'Resume', delete: 'Delete'}[action] + ' of ' + name, e);
    }
    page.reload();
  }

  async function onRowClick(event) {
    const b = event.target.closest('button[data-act]');
    if (!b) {
      return;
    }
    const name = b.closest('tr').dataset.name;
    const action = b.dataset.act;
    if (action === 'edit') {
      edit(name);
    } else if (action === 'run') {
      if (await ui.confirm('Fire one job of “' + name + '” now? It runs like any job; the schedule’s ticks go on as before.', 'Run now')) {
        change('run', name);
      }
    } else if (action === 'delete') {
      if (await ui.confirm('Delete the schedule “' + name + '” and its history? The jobs it fired stay.', 'Delete schedule')) {
        change('delete', name);
      }
    } else {
      change(action, name);
    }
  }

  // ---- the form: PUT /schedules/{name} (replaces the schedule; its history stays) ----
  async function edit(name) {
    try {
      fill(await Api.schedule(name));
    } catch (e) {
      ui.failed('Loading ' + name, e);
    }
  }

  function fill(s) {
    const f = $('schedule-form').elements;
    errors.clear();
    f.name.value = s.name;
    f.cron.value = s.cron;
    f.timezone.value = s.timezone;
    f.overlap.value = s.overlap;
    f.missed.value = s.missed;
    f.missed_cap.value = s.missed_cap;
    f.start_at.value = s.start_at || '';
    f.end_at.value = s.end_at || '';
    f.paused.checked = Boolean(s.paused);
    f.job.value = JSON.stringify(s.job, null, 2);
    $('sf-job-masked').hidden = !f.job.value.includes('"***"');
    $('schedule-form-title').textContent = 'Change the schedule “' + s.name + '”';
    $('schedule-form').scrollIntoView({block: 'nearest'});
    f.cron.focus();
  }

  function scheduleFromForm(f) {
    let job;
    try {
      job = JSON.parse(f.job.value);
    } catch (e) {
      throw new Api.ApiError(400, {field: 'job', detail: 'is not valid JSON: ' + e.message});
    }
    const body = {cron: f.cron.value.trim(), overlap: f.overlap.value, missed: f.missed.value, paused: f.paused.checked, job};
    for (const n of ['timezone', 'start_at', 'end_at']) {
      if (f[n].value.trim()) {
        body[n] = f[n].value.trim();
      }
    }
    if (f.missed_cap.value.trim()) {
      body.missed_cap = Number(f.missed_cap.value);
    }
    return body;
  }

  async function save(event) {
    event.preventDefault();
    errors.clear();
    const f = $('schedule-form').elements;
    const name = f.name.value.trim();
    if (!name) {
      errors.show({field: 'name', message: 'a name is needed'});
      return;
    }
    try {
      const saved = await Api.putSchedule(name, scheduleFromForm(f));
      ui.toast('Schedule “' + saved.name + '” saved; next run ' + (saved.next_fire_at || 'none') + '.');
      $('schedule-form').reset();
    } catch (e) {
      errors.show(e);
    }
    page.reload();
  }

  function init(dashboard) {
    ui = dashboard;
    errors = Page.fieldErrors($('schedule-form'), 'sf-', 'schedule-error');
    $('schedule-rows').addEventListener('click', onRowClick);
    $('schedule-form').addEventListener('submit', save);
    $('schedule-form').addEventListener('reset', () => {
      errors.clear();
      $('sf-job-masked').hidden = true;
      $('schedule-form-title').textContent = 'Add or change a schedule';
    });
    $('runs-older').addEventListener('click', () => {
      pages.push(nextBefore);
      page.reload();
    });
    $('runs-newer').addEventListener('click', () => {
      pages.pop();
      page.reload();
    });
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    $('zones').replaceChildren(...['UTC', ...zones].map(z => el('option', {value: z})));
  }

  return {init, show, hide: page.hide};
})();
