'use strict';
// Redrive from the job list filtered to failed jobs (#/?state=failed&context=…): POST /redrives with the list's
// context, a rate and optionally an error text and a new URL; then the redrive's progress from GET /redrives/{id}
// every second until it ends, with a button that stops it (DELETE /redrives/{id}). Admin tokens only.
const Redrive = (() => {
  const POLL_MS = 1000;
  const FIELDS = {rate: 'rate', 'filter.error': 'error', 'override.url': 'url'};
  const $ = id => document.getElementById(id);
  let ui = null;
  let filter = null;
  let admin = false;
  let current = null;
  let timer = null;
  let errors = null;

  function offer(listFilter) {
    filter = listFilter;
    $('redrive').hidden = !(admin && filter.state === 'failed');
  }

  function allow(isAdmin) {
    admin = isAdmin;
    if (filter) {
      offer(filter);
    }
  }

  function clearErrors() {
    errors.clear();
  }

  function open() {
    clearErrors();
    const where = filter.context ? ' of context “' + filter.context + '”' : ' in every context';
    $('redrive-what').textContent = 'Every failed job' + where + ' goes back to the queue with fresh attempts, at most at'
      + ' the rate below, so that its target is not flooded.' + (filter.q ? ' The search text is not applied.' : '');
    $('redrive-dialog').showModal();
    $('redrive-form').elements.rate.focus();
  }

  function showError(e) {
    const name = FIELDS[e.field];
    errors.show(name ? {field: name, message: e.message} : e);
  }

  async function start(event) {
    event.preventDefault();
    clearErrors();
    const f = $('redrive-form').elements;
    const body = {filter: {}, rate: f.rate.value.trim() || '10/s'};
    if (filter.context) {
      body.filter.context = filter.context;
    }
    if (f.error.value.trim()) {
      body.filter.error = f.error.value.trim();
    }
    if (f.url.value.trim()) {
      body.override = {url: f.url.value.trim()};
    }
    try {
      const redrive = await Api.redrive(body);
      $('redrive-dialog').close();
      ui.toast('Redrive #' + redrive.id + ' started: ' + redrive.matched + ' failed job' + (redrive.matched === 1 ? '' : 's') + '.');
      follow(redrive);
    } catch (e) {
      showError(e);
    }
  }

  function follow(redrive) {
    current = redrive;
    const box = $('redrive-status');
    box.hidden = false;
    box.dataset.state = redrive.state;
    box.dataset.id = String(redrive.id);
    $('redrive-text').textContent = 'Redrive #' + redrive.id + ' ' + redrive.state + ': ' + redrive.redriven + ' of '
      + redrive.matched + ' redriven' + (redrive.skipped ? ', ' + redrive.skipped + ' skipped' : '') + ' at ' + redrive.rate;
    $('redrive-progress').value = redrive.matched ? (redrive.redriven + redrive.skipped) / redrive.matched : 1;
    $('redrive-stop').hidden = redrive.state !== 'running';
    clearTimeout(timer);
    if (redrive.state === 'running') {
      timer = setTimeout(poll, POLL_MS);
    }
  }

  async function poll() {
    try {
      follow(await Api.redriveStatus(current.id));
    } catch (e) {
      ui.failed('Reading redrive #' + current.id, e);
      timer = setTimeout(poll, POLL_MS * 5);
    }
  }

  async function stop() {
    if (!await ui.confirm('Stop redrive #' + current.id + '? The jobs it has queued again stay queued.', 'Stop redrive')) {
      return;
    }
    try {
      follow(await Api.stopRedrive(current.id));
      ui.toast('Redrive #' + current.id + ' stopped.');
    } catch (e) {
      ui.failed('Stopping redrive #' + current.id, e);
      poll();
    }
  }

  function init(dashboard) {
    ui = dashboard;
    errors = Page.fieldErrors($('redrive-form'), 'rd-', 'redrive-error');
    $('redrive').addEventListener('click', open);
    $('redrive-form').addEventListener('submit', start);
    $('redrive-cancel').addEventListener('click', () => $('redrive-dialog').close());
    $('redrive-stop').addEventListener('click', stop);
  }

  return {init, offer, allow};
})();
