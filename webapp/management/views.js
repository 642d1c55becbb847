'use strict';
// Rendering: status icons, times, secret masking, table rows and the job page. No data fetching here.
const Views = (() => {
  const ICONS = {waiting: '◷', scheduled: '◔', working: '↻', done: '✓', failed: '✕', cancelled: '⊘'};
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
      } else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'href' || k === 'datetime' || k === 'title') {
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

  function stateBadge(state) {
    return el('span', {class: 'state st-' + state},
      el('span', {class: 'icon', 'aria-hidden': 'true', text: ICONS[state] || '?'}), ' ' + state);
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

  function facts(job) {
    const items = [
      ['Context', job.context], ['Priority', job.priority], ['Type', job.type],
      ['Return code', job.return_code === null ? '—' : job.return_code],
      ['Attempts', job.attempt + ' of ' + job.max_attempts + (job.rescues ? ' (' + job.rescues + ' rescued)' : '')],
      ['Node', job.owner || '—'], ['Unique key', job.unique_key || '—'],
      ['Added', time(job.created_at)], ['Run at', time(job.run_at)], ['Started', time(job.started_at)],
      ['Finished', time(job.finished_at)], ['Took', duration(job.started_at, job.finished_at) || '—'],
    ];
    return items.flatMap(([k, v]) => [el('dt', {text: k}), el('dd', {}, v === '' ? '—' : (v instanceof Node ? v : String(v)))]);
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

  return {el, stateBadge, time, refreshTimes, mask, maskText, commandText, row, facts, timeline, callbackRows};
})();
