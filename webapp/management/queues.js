'use strict';
// The Queues page (#/queues): the limits per key from GET /limits and the target hosts' circuit breakers from
// GET /hosts, read again every 2 s while the page is shown, and the controls that change the limits (shown to admin
// tokens only, see .admin-only in the stylesheet).
const Queues = (() => {
  const $ = id => document.getElementById(id);
  let ui = null;
  let rules = new Map();
  const page = Page.polled('Loading limits', () => Promise.all([Api.limits(), Api.hosts()]), ([limits, hosts]) => {
    render(limits);
    renderHosts(hosts);
  }, (what, e) => ui.failed(what, e));
  let errors = null;

  function render(answer) {
    rules = new Map(answer.limits.map(r => [r.key, r]));
    const paused = answer.queue_paused;
    $('queues-view').dataset.queuePaused = String(paused);
    $('queue-state').replaceChildren(Views.queueBadge(paused));
    $('queue-pause').hidden = paused;
    $('queue-resume').hidden = !paused;
    // the whole queue ("*") is shown and switched in the page's head, not as a row
    const listed = answer.limits.filter(r => r.kind !== 'queue');
    const throttled = [...new Set([...listed, ...answer.keys].filter(r => r.throttled).map(r => r.key))];
    $('throttled').replaceChildren(...(throttled.length ? throttled.map(Views.keyChip) : ['none']));
    $('limit-rows').replaceChildren(...listed.map(Views.limitRow));
    $('limits-empty').hidden = listed.length > 0;
    $('key-rows').replaceChildren(...answer.keys.map(Views.keyRow));
    $('keys-empty').hidden = answer.keys.length > 0;
  }

  function renderHosts(answer) {
    const on = answer.breaker.enabled;
    $('breaker-off').hidden = on;
    $('hosts-wrap').hidden = !on;
    $('host-rows').replaceChildren(...answer.hosts.map(Views.hostRow));
    $('hosts-empty').hidden = answer.hosts.length > 0;
  }

  function name(key) {
    return key === '*' ? 'The whole queue' : 'Key “' + key + '”';
  }

  async function change(action, key) {
    const call = {pause: Api.pauseLimit, resume: Api.resumeLimit, delete: Api.removeLimit}[action];
    try {
      await call(key);
      ui.toast(name(key) + ' ' + {pause: 'paused.', resume: 'resumed.', delete: 'is no longer limited.'}[action]);
    } catch (e) {
      ui.failed({pause: 'Pause', resume: 'Resume', delete: 'Delete'}[action] + ' of ' + key, e);
    }
    page.reload();
  }

  async function onRowClick(event) {
    const button = event.target.closest('button[data-act]');
    if (!button) {
      return;
    }
    const key = button.closest('tr').dataset.key;
    const action = button.dataset.act;
    if (action === 'edit') {
      fill(rules.get(key) || {key});
    } else if (action !== 'delete'
      || await ui.confirm('Delete the limit of “' + key + '”? Its jobs then run without it.', 'Delete limit')) {
      change(action, key);
    }
  }

  async function pauseQueue() {
    if (await ui.confirm('Pause the whole queue? Running jobs finish; nothing new starts until it is resumed.', 'Pause queue')) {
      change('pause', '*');
    }
  }

  // ---- the form: PUT /limits/{key} ----
  const NUMBERS = ['concurrency', 'burst', 'max_backlog', 'weight'];

  function fill(rule) {
    const f = $('limit-form').elements;
    errors.clear();
    f.key.value = rule.key;
    for (const n of NUMBERS) {
      f[n].value = rule[n] === null || rule[n] === undefined ? '' : rule[n];
    }
    f.rate.value = (rule.rate || []).join(', ');
    f.retry.value = rule.retry ? JSON.stringify(rule.retry) : '';
    f.paused.checked = Boolean(rule.paused);
    $('limit-form-title').textContent = rules.has(rule.key) ? 'Change the limit of “' + rule.key + '”' : 'Add a limit for “' + rule.key + '”';
    $('limit-form').scrollIntoView({block: 'nearest'});
    f.concurrency.focus();
  }

  // PUT replaces the whole rule: an empty field is a limit the rule does not have
  function ruleFromForm(f) {
    const rule = {paused: f.paused.checked};
    for (const n of NUMBERS) {
      if (f[n].value.trim() !== '') {
        rule[n] = Number(f[n].value);
      }
    }
    const rates = f.rate.value.split(',').map(r => r.trim()).filter(Boolean);
    if (rates.length) {
      rule.rate = rates.length === 1 ? rates[0] : rates;
    }
    if (f.retry.value.trim() !== '') {
      try {
        rule.retry = JSON.parse(f.retry.value);
      } catch (e) {
        throw {field: 'retry', message: 'must be JSON, e.g. {"max_attempts": 5}'};
      }
    }
    return rule;
  }

  async function save(event) {
    event.preventDefault();
    errors.clear();
    const f = $('limit-form').elements;
    const key = f.key.value.trim();
    if (!key) {
      errors.show({field: 'key', message: 'a key is needed'});
      return;
    }
    try {
      const rule = await Api.setLimit(key, ruleFromForm(f));
      ui.toast('Limit of “' + rule.key + '” saved.');
      $('limit-form').reset();
    } catch (e) {
      errors.show(e);
    }
    page.reload();
  }

  function init(dashboard) {
    ui = dashboard;
    errors = Page.fieldErrors($('limit-form'), 'lf-', 'limit-error');
    $('limit-rows').addEventListener('click', onRowClick);
    $('key-rows').addEventListener('click', onRowClick);
    $('queue-pause').addEventListener('click', pauseQueue);
    $('queue-resume').addEventListener('click', () => change('resume', '*'));
    $('limit-form').addEventListener('submit', save);
    $('limit-form').addEventListener('reset', () => {
      errors.clear();
      $('limit-form-title').textContent = 'Add or change a limit';
    });
  }

  return {init, show: page.show, hide: page.hide};
})();
