'use strict';
// Rendering: status icons, times, secret masking, table rows and the job page. No data fetching here.
const Views = (() => {
  const ICONS = {waiting: '◷', scheduled: '◔', blocked: '◌', working: '↻', done: '✓', failed: '✕', cancelled: '⊘', expired: '⌛'};
  const SECRET_NAME = /(^|[-_.])(authorization|cookie|set-cookie|token|secret|passw(or)?d|pwd|api[-_]?key|apikey|signature|credentials?|private[-_]?key|session|auth|authentication|key|jwt|x-auth-key|ocp-apim-subscription-key)([-_.]|$)|token|secret|passw|jwt/i;
  const MASK = '•••';
  const relative = new Intl.RelativeTimeFormat('en', {numeric: 'auto'});

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) {
        continue;
      }
      if (k === 'class') {
        e.className = v;
      } else if (k === 'text') {
        e.textContent = v;
      } else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'href' || k === 'datetime' || k === 'title') {
        e.setAttribute(k, v);
      } else {
        e[k] = v;
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) {
        e.append(c);
      }
    }
    return e;
  }

  function badge(cls, icon, text) {
    return el('span', {class: 'state st-' + cls}, el('span', {class: 'icon', 'aria-hidden': 'true', text: icon}), ' ' + text);
  }

  function stateIcon(state) {
    return ICONS[state] || '?';
  }

  function stateBadge(state) {
    return badge(state, stateIcon(state), state);
  }

  function ago(iso) {
    if (!iso) {
      return '';
    }
    const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
    const abs = Math.abs(seconds);
    const [n, unit] = abs < 45 ? [seconds, 'second'] : abs < 2700 ? [seconds / 60, 'minute']
      : abs < 64800 ? [seconds / 3600, 'hour'] : [seconds / 86400, 'day'];
    return abs < 5 ? 'just now' : relative.format(Math.round(n), unit);
  }

  function time(iso) {
    return iso ? el('time', {datetime: iso, title: iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'), 'data-rel': '1', text: ago(iso)}) : '';
  }

  function refreshTimes(root) {
    root.querySelectorAll('time[data-rel]').forEach(t => { t.textContent = ago(t.getAttribute('datetime')); });
  }

  function duration(fromIso, toIso) {
    if (!fromIso || !toIso) {
      return '';
    }
    const ms = new Date(toIso) - new Date(fromIso);
    return ms < 1000 ? ms + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s'
      : ms < 3600000 ? Math.round(ms / 60000) + ' min' : (ms / 3600000).toFixed(1) + ' h';
  }

  // a URL may hold malformed escapes (?%ff=1): decodeURIComponent throws on them
  function decoded(text) {
    try {
      return decodeURIComponent(text);
    } catch (e) {
      return text;
    }
  }

  function maskUrl(text) {
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]+)@/i, (m, scheme) => scheme + MASK + '@')
      .replace(/([?&])([^=&#\s]+)=([^&#\s]*)/g, (m, sep, name, value) =>
        SECRET_NAME.test(decoded(name)) ? sep + name + '=' + MASK : m);
  }

  function maskText(text) {
    return maskUrl(text).replace(/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+\/=-]{4,}/g, '$1 ' + MASK);
  }

  // Secrets never reach the screen: values of secret-looking names, credentials in URLs, bearer tokens in text.
  function mask(value, name) {
    if (name && SECRET_NAME.test(name) && (typeof value === 'string' || typeof value === 'number')) {
      return MASK;
    }
    if (Array.isArray(value)) {
      return value.map(v => mask(v));
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
    }
    return typeof value === 'string' ? maskText(value) : value;
  }

  function commandText(command) {
    if (!command) {
      return '';
    }
    if (command.url) {
      return (command.method || 'GET') + ' ' + maskUrl(command.url);
    }
    if (command.cmd) {
      return maskText(String(command.cmd));
    }
    if (command.argv) {
      return maskText(command.argv.join(' '));
    }
    return command.type || '';
  }

  function row(job) {
    const link = el('a', {href: '#/jobs/' + job.id, text: '#' + job.id, 'aria-label': 'Job ' + job.id});
    return el('tr', {'data-id': String(job.id), 'data-state': job.state},
      el('td', {}, stateBadge(job.state)),
      el('td', {}, link),
      el('td', {class: 'ctx', text: job.context}),
      el('td', {class: 'wide cmd'}, el('code', {text: commandText(job.command)}),
        job.progress && job.state === 'working' ? el('span', {class: 'mini-progress', text: ' ' + job.progress.percent + '%'}) : null),
      el('td', {text: job.attempt + '/' + job.max_attempts}),
      el('td', {}, time(job.created_at)),
      el('td', {text: job.finished_at ? duration(job.started_at || job.created_at, job.finished_at)
          : job.started_at ? 'running ' + duration(job.started_at, new Date().toISOString()) : ''}));
  }

  // the key, and how many duplicate submits the job absorbed while the key was bound to it
  function uniqueKey(job) {
    if (!job.unique_key) return '—';
    const u = job.unique;
    if (!u) return job.unique_key;
    const absorbed = u.absorbed === 1 ? '1 duplicate absorbed' : u.absorbed + ' duplicates absorbed';
    return job.unique_key + (u.bound ? ' (' + absorbed + ')' : ' (no longer bound)');
  }

  function facts(job) {
    const items = [
      ['Context', job.context], ['Priority', job.priority], ['Type', job.type],
      ['Return code', job.return_code === null ? '—' : job.return_code],
      ['Attempts', job.attempt + ' of ' + job.max_attempts + (job.rescues ? ' (' + job.rescues + ' rescued)' : '')],
      ['Node', job.owner || '—'], ['Unique key', uniqueKey(job)],
      ['Schedule', job.job && job.job.schedule ? el('a', {href: '#/schedules/' + encodeURIComponent(job.job.schedule.name),
        text: job.job.schedule.name + (job.job.schedule.manual ? ' (run now)' : '')}) : '—'],
      ['Added', time(job.created_at)], ['Run at', time(job.run_at)], ['Started', time(job.started_at)],
      ['Finished', time(job.finished_at)], ['Took', duration(job.started_at, job.finished_at) || '—'],
    ];
    if (job.batch_id) {
      items.splice(3, 0, ['Batch', el('a', {href: '#/batches/' + job.batch_id, text: '#' + job.batch_id,
        'aria-label': 'Batch ' + job.batch_id})]);
    }
    // one grid item per pair (a div around dt/dd is valid in a dl), so a label never wraps away from its value
    return items.map(([k, v]) => el('div', {class: 'fact'},
      el('dt', {text: k}), el('dd', {}, v === '' ? '—' : (v instanceof Node ? v : String(v)))));
  }

  function timeline(job, callbacks, seen) {
    const entries = [];
    const add = (at, text, cls) => at && entries.push({at, text, cls});
    add(job.created_at, 'Added', 'waiting');
    if (job.run_at && new Date(job.run_at) - new Date(job.created_at) > 1000) {
      add(job.run_at, 'Due', 'scheduled');
    }
    for (const a of job.attempts || []) {
      add(a.started_at, 'Attempt ' + a.attempt + ' started' + (a.node ? ' on ' + a.node : ''), 'working');
      add(a.finished_at, 'Attempt ' + a.attempt + ' ' + a.outcome + (a.return_code !== null ? ' (status ' + a.return_code + ')' : '')
        + (a.error ? ': ' + maskText(a.error) : ''), {done: 'done', failed: 'failed', cancelled: 'cancelled'}[a.outcome] || 'waiting');
    }
    if (job.state === 'working') {
      add(job.started_at, 'Attempt ' + job.attempt + ' started' + (job.owner ? ' on ' + job.owner : ''), 'working');
    }
    for (const e of seen) {
      add(e.at, e.text, e.cls);
    }
    add(job.finished_at, job.state.charAt(0).toUpperCase() + job.state.slice(1)
      + (job.return_code !== null ? ' (status ' + job.return_code + ')' : ''), job.state);
    for (const cb of callbacks) {
      add(cb.created_at, 'Callback ' + cb.kind + ' queued', 'waiting');
      add(cb.delivered_at, 'Callback ' + cb.kind + ' delivered' + (cb.return_code ? ' (status ' + cb.return_code + ')' : ''), 'done');
    }
    entries.sort((a, b) => new Date(a.at) - new Date(b.at));
    return entries.map(e => el('li', {class: 'st-' + e.cls}, time(e.at), ' ', el('span', {text: e.text})));
  }

  function callbackRows(callbacks) {
    if (!callbacks.length) {
      return [el('tr', {}, el('td', {colSpan: 5, class: 'empty', text: 'No callbacks.'}))];
    }
    return callbacks.map(cb => el('tr', {},
      el('td', {text: cb.kind}), el('td', {text: cb.state}), el('td', {text: String(cb.attempts)}),
      el('td', {text: cb.return_code === null ? (cb.error ? maskText(cb.error) : '—') : String(cb.return_code)}),
      el('td', {}, time(cb.delivered_at || cb.created_at))));
  }

  // ---- the Queues page ----
  const none = v => v === null || v === undefined;
  const count = n => (none(n) ? '—' : n.toLocaleString('en'));

  function queueBadge(paused) {
    return paused ? badge('cancelled', '⏸', 'queue paused') : badge('done', '▶', 'queue running');
  }

  function keyChip(key) {
    return el('span', {class: 'chip', 'data-key': key, text: key});
  }

  function ruleState(rule) {
    return rule.paused ? badge('cancelled', '⏸', 'paused') : rule.throttled ? badge('waiting', '◷', 'throttled') : badge('done', '✓', 'open');
  }

  function actionButton(act, text, cls, key) {
    return el('button', {type: 'button', 'data-act': act, class: cls, text, 'aria-label': text + ' ' + key});
  }

  function limitRow(rule) {
    const rate = [...(rule.rate || []), none(rule.burst) ? null : 'burst ' + rule.burst].filter(Boolean).join(', ');
    return el('tr', {'data-key': rule.key, 'data-paused': String(Boolean(rule.paused)), 'data-throttled': String(Boolean(rule.throttled))},
      el('td', {class: 'ctx'}, el('code', {text: rule.key})),
      el('td', {text: rule.kind}),
      el('td', {class: 'waiting', text: count(rule.waiting)}),
      el('td', {class: 'running', text: count(rule.running) + (none(rule.concurrency) ? '' : ' / ' + rule.concurrency)}),
      el('td', {class: 'rate', text: rate || '—'}),
      el('td', {text: count(rule.max_backlog)}),
      el('td', {text: count(rule.weight)}),
      el('td', {}, ruleState(rule)),
      el('td', {class: 'admin-only row-actions'},
        actionButton('edit', 'Edit', 'quiet', rule.key),
        rule.paused ? actionButton('resume', 'Resume', '', rule.key) : actionButton('pause', 'Pause', 'warn', rule.key),
        actionButton('delete', 'Delete', 'danger', rule.key)));
  }

  function hostRow(host) {
    const state = {closed: 'closed', open: 'open', half_open: 'probing'}[host.state] || host.state;
    const until = host.open_until ? ' until ' + new Date(host.open_until).toLocaleTimeString() : '';
    return el('tr', {'data-host': host.host, 'data-state': host.state},
      el('td', {class: 'ctx'}, el('code', {text: host.host})),
      el('td', {class: 'breaker ' + host.state, text: state + until + (host.opened ? ' · opened ' + host.opened + '×' : '')}),
      el('td', {text: host.failures + ' of ' + host.requests}),
      el('td', {text: host.reason || '—'}));
  }

  function keyRow(key) {
    return el('tr', {'data-key': key.key},
      el('td', {class: 'ctx'}, el('code', {text: key.key})),
      el('td', {text: count(key.waiting)}),
      el('td', {text: count(key.running)}),
      el('td', {class: 'admin-only'}, actionButton('edit', 'Set limit', 'quiet', key.key)));
  }

  // ---- paging: holder.cursor is the page shown, holder.cursors the pages before it, holder.next the one after ----
  function pager(olderId, newerId, holder, load) {
    document.getElementById(olderId).addEventListener('click', () => {
      holder.cursors.push(holder.cursor);
      holder.cursor = holder.next;
      load();
    });
    document.getElementById(newerId).addEventListener('click', () => {
      holder.cursor = holder.cursors.pop() || null;
      load();
    });
  }

  function showPage(olderId, newerId, infoId, holder) {
    document.getElementById(olderId).disabled = !holder.next;
    document.getElementById(newerId).disabled = holder.cursors.length === 0;
    document.getElementById(infoId).textContent = 'page ' + (holder.cursors.length + 1);
  }

  // ---- batches and workflows ----
  const STATE_ORDER = ['blocked', 'waiting', 'scheduled', 'working', 'done', 'failed', 'cancelled', 'expired'];

  function kindName(batch) {
    return batch.kind === 'workflow' ? 'Workflow' : 'Batch';
  }

  // open (jobs may be added), running, then succeeded or completed with failures
  function batchBadge(batch) {
    if (batch.complete_at) {
      return batch.failed > 0 ? badge('failed', '✕', 'completed, ' + batch.failed + ' failed') : badge('done', '✓', 'succeeded');
    }
    return batch.open ? badge('waiting', '◷', 'open') : badge('working', '↻', 'running');
  }

  function progressBar(percent, labelText) {
    const bar = el('div', {class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100',
      'aria-valuenow': String(percent), 'aria-label': labelText}, el('span', {}));
    bar.firstChild.style.width = Math.max(0, Math.min(100, percent)) + '%';
    return bar;
  }

  function jobCounts(batch) {
    const states = batch.states || {};
    const parts = [count(states.done || 0) + ' done'];
    for (const s of ['failed', 'cancelled', 'expired']) {
      if (states[s]) {
        parts.push(count(states[s]) + ' ' + s);
      }
    }
    return parts.join(' · ') + ' of ' + count(batch.total);
  }

  function batchRow(batch) {
    const name = kindName(batch) + ' ' + batch.id;
    return el('tr', {'data-batch': String(batch.id), 'data-progress': String(batch.progress)},
      el('td', {}, el('a', {href: '#/batches/' + batch.id, text: '#' + batch.id, 'aria-label': name})),
      el('td', {text: batch.kind}),
      el('td', {class: 'ctx', text: batch.context}),
      el('td', {class: 'progress-cell'}, progressBar(batch.progress, 'Progress of ' + name),
        el('span', {class: 'percent', text: batch.progress + '%'})),
      el('td', {class: 'counts', text: jobCounts(batch)}),
      el('td', {}, time(batch.created_at)),
      el('td', {class: 'completed'}, batch.complete_at ? time(batch.complete_at) : batchBadge(batch)));
  }

  function batchFacts(batch) {
    const items = [['Kind', batch.kind], ['Context', batch.context], ['Jobs', count(batch.total)],
      ['Ended', count(batch.settled)], ['Created', time(batch.created_at)],
      ['Closed', batch.open ? 'open: jobs may be added' : time(batch.closed_at)], ['Succeeded', time(batch.success_at)],
      ['Completed', time(batch.complete_at)], ['First failure', time(batch.failure_at)]];
    return items.map(([k, v]) => el('div', {class: 'fact'},
      el('dt', {text: k}), el('dd', {}, v === '' ? '—' : (v instanceof Node ? v : String(v)))));
  }

  // one button per state the batch has jobs in: it filters the job list below
  function stateCounts(states, selected) {
    return STATE_ORDER.filter(s => states[s]).map(s => el('li', {},
      el('button', {type: 'button', class: 'state-count', 'data-state': s, 'aria-pressed': String(s === selected),
        'aria-label': count(states[s]) + ' ' + s + ', show them'}, stateBadge(s), el('span', {class: 'n', text: count(states[s])}))));
  }

  function batchCallbackRows(callbacks) {
    if (!callbacks.length) {
      return [el('tr', {}, el('td', {colSpan: 5, class: 'empty', text: 'No callback has fired yet.'}))];
    }
    return callbacks.map(cb => el('tr', {'data-kind': cb.kind, 'data-state': cb.state},
      el('td', {text: cb.kind.replace(/^batch_/, 'on_')}), el('td', {text: cb.state}), el('td', {text: String(cb.attempts)}),
      el('td', {text: cb.return_code === null ? (cb.error ? maskText(cb.error) : '—') : String(cb.return_code)}),
      el('td', {}, el('code', {text: cb.webhook_id || ''}))));
  }

  return {el, badge, stateIcon, stateBadge, time, refreshTimes, mask, maskText, commandText, row, facts, timeline,
    callbackRows, queueBadge, keyChip, actionButton, limitRow, keyRow, hostRow, pager, showPage, kindName, batchBadge,
    progressBar, batchRow, batchFacts, stateCounts, batchCallbackRows};
})();
