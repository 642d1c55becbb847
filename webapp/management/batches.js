'use strict';
// The Batches page (#/batches: batches and workflows, newest first, from GET /batches) and the upper half of the page
// of one (#/batches/{id}): progress and counts per state, live from the event stream ("batch" events), its callbacks
// and, for a workflow, its graph (graph.js). The lower half is the job table filtered by the batch (app.js).
const Batches = (() => {
  const PAGE_SIZE = 25;
  const $ = id => document.getElementById(id);
  const FINAL = ['done', 'failed', 'cancelled', 'expired'];
  let ui = null;
  let view = null;
  const list = {cursor: null, cursors: [], next: null, ids: []};
  const page = {id: null, batch: null, shape: '', jobState: 'all'};
  // the newest summary seen of each batch, from an answer or an event
  const known = new Map();
  let reloadList = null;
  let reloadBatch = null;

  // A batch's counters only grow and its times are only ever set, so of two reads (an event of one node, an answer,
  // an event of another node) the one further on is the later; they arrive in any order.
  function advance(b) {
    return b.total + b.settled + b.done + b.failed
      + ['closed_at', 'success_at', 'complete_at', 'failure_at'].filter(k => b[k]).length;
  }

  function remember(b) {
    const seen = known.get(b.id);
    if (seen && advance(seen) > advance(b)) {
      return seen;
    }
    if (known.size > 1000) {
      known.clear();
    }
    known.set(b.id, b);
    return b;
  }

  // ---- the list ----
  function showList() {
    if (view !== 'list') {
      list.cursor = null;
      list.cursors = [];
    }
    view = 'list';
    document.title = 'Batches · Queue Server';
    loadList();
  }

  async function loadList() {
    const params = {limit: PAGE_SIZE};
    if (list.cursor) {
      params.cursor = list.cursor;
    }
    const asked = list.cursor;
    try {
      const answer = await Api.batches(params);
      if (view !== 'list' || asked !== list.cursor) {
        return;
      }
      const batches = answer.batches.map(remember);
      list.ids = batches.map(b => b.id);
      $('batch-rows').replaceChildren(...batches.map(Views.batchRow));
      $('batches-empty').hidden = batches.length > 0;
      list.next = answer.next_cursor;
      Views.showPage('batches-older', 'batches-newer', 'batches-page', list);
    } catch (e) {
      ui.failed('Loading batches', e);
    }
  }

  function showRow(b) {
    const row = $('batch-rows').querySelector('tr[data-batch="' + b.id + '"]');
    if (row) {
      const focused = row.contains(document.activeElement);
      const fresh = Views.batchRow(b);
      row.replaceWith(fresh);
      if (focused) {
        fresh.querySelector('a').focus();
      }
    }
  }

  // ---- one batch ----
  // jobState: the state the job table below is filtered by
  function showBatch(id, jobState) {
    page.jobState = jobState;
    if (page.id !== id) {
      Object.assign(page, {id, batch: null, shape: ''});
      $('batch-title').textContent = 'Batch #' + id;
      ['batch-badge', 'batch-states', 'batch-facts', 'batch-callbacks', 'graph'].forEach(e => $(e).replaceChildren());
      $('graph-section').hidden = true;
      $('batch-view').removeAttribute('data-kind');
      $('batch-progress-fill').style.width = '0';
      $('batch-progress-label').textContent = '';
    }
    view = 'batch';
    document.title = 'Batch #' + id + ' · Queue Server';
    if (page.batch) {
      renderSummary(known.get(page.batch.id) || page.batch);
    }
    loadBatch();
  }

  async function loadBatch() {
    const id = page.id;
    try {
      const b = await Api.batch(id);
      if (view !== 'batch' || page.id !== id) {
        return;
      }
      page.batch = b;
      renderSummary(remember(b));
      renderCallbacksAndGraph(b);
    } catch (e) {
      if (e.status === 404) {
        $('batch-badge').replaceChildren('not found');
      }
      ui.failed('Loading batch ' + id, e);
    }
  }

  function renderSummary(b) {
    const v = $('batch-view');
    v.dataset.kind = b.kind;
    v.dataset.progress = String(b.progress);
    v.dataset.complete = String(Boolean(b.complete_at));
    const name = Views.kindName(b) + ' #' + b.id;
    $('batch-title').textContent = name;
    document.title = name + ' · Queue Server';
    $('batch-badge').replaceChildren(Views.batchBadge(b));
    const ended = FINAL.reduce((n, s) => n + (b.states[s] || 0), 0);
    $('batch-progress-fill').style.width = Math.max(0, Math.min(100, b.progress)) + '%';
    $('batch-progress').querySelector('.bar').setAttribute('aria-valuenow', String(b.progress));
    $('batch-progress-label').textContent = b.progress + '% — ' + ended.toLocaleString('en') + ' of '
      + b.total.toLocaleString('en') + ' jobs ended';
    const focused = document.activeElement && document.activeElement.closest('#batch-states button');
    $('batch-states').replaceChildren(...Views.stateCounts(b.states, page.jobState));
    if (focused) {
      const again = $('batch-states').querySelector('button[data-state="' + focused.dataset.state + '"]');
      (again || $('batch-states')).focus();
    }
    $('batch-facts').replaceChildren(...Views.batchFacts(b));
  }

  function renderCallbacksAndGraph(b) {
    $('batch-callbacks').replaceChildren(...Views.batchCallbackRows(b.callbacks || []));
    const graph = b.kind === 'workflow' ? b.graph : null;
    $('graph-section').hidden = !graph;
    if (!graph) {
      return;
    }
    // redrawn only when its shape changes, so a node keeps the keyboard focus while the states change
    const shape = JSON.stringify([graph.nodes.map(n => [n.id, n.name]), graph.edges]);
    if (shape !== page.shape) {
      page.shape = shape;
      const drawn = Graph.draw($('graph'), graph);
      $('graph').setAttribute('aria-label', 'Dependency graph of workflow ' + b.id + ', ' + drawn.shownJobs
        + ' jobs; each links to its job');
      $('graph-note').hidden = !drawn.note;
      $('graph-note').textContent = drawn.note || '';
    } else {
      graph.nodes.forEach(n => Graph.setState($('graph'), n.id, n.state));
    }
  }

  // ---- live ----
  function onBatchEvent(b) {
    const latest = remember(b);
    if (view === 'list') {
      if (list.ids.includes(b.id)) {
        showRow(latest);
      } else if (!list.cursor) {
        reloadList(); // a batch newer than the page's
      }
    } else if (view === 'batch' && String(b.id) === page.id) {
      renderSummary(latest);
      reloadBatch();
    }
  }

  function onJobEvent(e) {
    if (view !== 'batch') {
      return;
    }
    const inGraph = $('graph').querySelector('a.node[data-id="' + e.id + '"]');
    // a submit event says "waiting" also of a blocked or scheduled job: only a start or an end recolours a node
    if (inGraph && (e.kind === 'started' || e.kind === 'finished')) {
      Graph.setState($('graph'), e.id, e.state);
    }
    if (inGraph) {
      reloadBatch();
    }
  }

  // events may be dropped under load: while a shown batch is unfinished, changed counters read it again
  // the counters (every 1.5 s) also catch a batch event this browser missed, e.g. while its stream reconnected
  function onCounters(changed) {
    if (!changed) {
      return;
    }
    if (view === 'batch' && page.batch && !page.batch.complete_at) {
      reloadBatch();
    } else if (view === 'list' && list.ids.some(id => known.has(id) && !known.get(id).complete_at)) {
      reloadList();
    }
  }

  function hide() {
    view = null;
  }

  function init(dashboard) {
    ui = dashboard;
    reloadList = ui.throttled(() => view === 'list' && loadList(), 700);
    reloadBatch = ui.throttled(() => view === 'batch' && loadBatch(), 1000);
    $('batch-rows').addEventListener('click', e => {
      const tr = e.target.closest('tr[data-batch]');
      if (tr && !e.target.closest('a')) {
        location.hash = '#/batches/' + tr.dataset.batch;
      }
    });
    Views.pager('batches-older', 'batches-newer', list, loadList);
    $('batch-states').addEventListener('click', e => {
      const button = e.target.closest('button[data-state]');
      if (button) {
        ui.filterJobs(button.getAttribute('aria-pressed') === 'true' ? 'all' : button.dataset.state);
      }
    });
  }

  return {init, showList, showBatch, hide, onBatchEvent, onJobEvent, onCounters};
})();
