'use strict';
// A workflow drawn as plain SVG: jobs in columns by dependency level (a job's level is one more than its deepest
// parent's), left to right; within a column in the order of their parents (fewer crossings); edges as curves with
// arrows, dashed for on_failure "skip", dotted for "continue". Each job is a link to its page. Past MAX_NODES jobs only
// the first levels are drawn.
const Graph = (() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const MAX_NODES = 50;
  const NODE_W = 170;
  const NODE_H = 36;
  const COL = NODE_W + 64;
  const ROW = NODE_H + 14;
  const PAD = 8;
  const NAME_CHARS = 16;

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      e.setAttribute(k, v);
    }
    children.forEach(c => e.append(c));
    return e;
  }

  // level of every node: Kahn's order over the edges between the workflow's own jobs
  function levels(nodes, edges) {
    const parents = new Map(nodes.map(n => [n.id, []]));
    const children = new Map(nodes.map(n => [n.id, []]));
    for (const e of edges) {
      if (parents.has(e.from) && parents.has(e.to)) {
        parents.get(e.to).push(e.from);
        children.get(e.from).push(e.to);
      }
    }
    const waiting = new Map(nodes.map(n => [n.id, parents.get(n.id).length]));
    const level = new Map();
    let ready = nodes.filter(n => waiting.get(n.id) === 0).map(n => n.id);
    ready.forEach(id => level.set(id, 0));
    while (ready.length) {
      const next = [];
      for (const id of ready) {
        for (const child of children.get(id)) {
          level.set(child, Math.max(level.get(child) || 0, level.get(id) + 1));
          waiting.set(child, waiting.get(child) - 1);
          if (waiting.get(child) === 0) {
            next.push(child);
          }
        }
      }
      ready = next;
    }
    // the server refuses cycles; should one be stored anyway, its jobs go after the others instead of nowhere
    let deepest = 0;
    level.forEach(l => { deepest = Math.max(deepest, l); });
    nodes.forEach(n => {
      if (waiting.get(n.id) > 0) {
        level.set(n.id, deepest + 1);
      }
    });
    return {level, parents};
  }

  // columns of node ids; each column ordered by the mean row of the node's parents, then by id
  function columns(nodes, level, parents) {
    const cols = [];
    [...nodes].sort((a, b) => a.id - b.id).forEach(n => {
      const l = level.get(n.id);
      (cols[l] = cols[l] || []).push(n.id);
    });
    const row = new Map();
    return cols.filter(Boolean).map(col => {
      const mean = id => {
        const rows = parents.get(id).filter(p => row.has(p)).map(p => row.get(p));
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : -1;
      };
      const ordered = col.map(id => [id, mean(id)]).sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id]) => id);
      ordered.forEach((id, i) => row.set(id, i));
      return ordered;
    });
  }

  // whole levels while they fit; the first level that does not is cut, so the picture is never empty
  function visible(cols) {
    const shown = [];
    let count = 0;
    for (const col of cols) {
      if (count + col.length <= MAX_NODES) {
        shown.push({ids: col, more: 0});
        count += col.length;
        continue;
      }
      if (count < MAX_NODES) {
        shown.push({ids: col.slice(0, MAX_NODES - count), more: col.length - (MAX_NODES - count)});
      }
      break;
    }
    return shown;
  }

  function label(name, chars) {
    return name.length > chars ? name.slice(0, chars - 1) + '…' : name;
  }

  // a name too long for the box beside its id is cut to fit, measured once the picture is laid out
  function fit(node) {
    const name = node.querySelector('text.name');
    const room = NODE_W - 26 - node.querySelector('text.id').getComputedTextLength();
    const icon = name.textContent.slice(0, name.textContent.indexOf(' ') + 1);
    const full = node.querySelector('title').textContent.replace(/ \(#\d+\): \w+$/, '');
    for (let n = full.length; n > 1 && name.getComputedTextLength() > room; n--) {
      name.textContent = icon + label(full, n - 1);
    }
  }

  // what the picture leaves out, in words; null when it shows every job
  function note(cols, shown, drawn, total) {
    if (drawn === total) {
      return null;
    }
    const cut = shown[shown.length - 1].more > 0;
    const whole = cut ? shown.length - 1 : shown.length;
    const levels = whole === 1 ? 'the first level' : 'the first ' + whole + ' levels';
    const what = cut
      ? (whole ? levels + ' and ' : '') + shown[shown.length - 1].ids.length + ' of the '
        + cols[shown.length - 1].length.toLocaleString('en') + ' jobs of level ' + shown.length
      : levels + ' of ' + cols.length;
    return 'Showing ' + drawn + ' of ' + total.toLocaleString('en') + ' jobs: ' + what
      + '. The job list below has them all.';
  }

  /**
   * Draws graph ({nodes: [{id, name, state}], edges: [{from, to, on_failure}]}) into the svg element; returns how
   * many jobs it drew and, when it left some out, a note that says which.
   */
  function draw(target, graph) {
    const nodes = graph.nodes;
    const byId = new Map(nodes.map(n => [n.id, n]));
    const {level, parents} = levels(nodes, graph.edges);
    const cols = columns(nodes, level, parents);
    const shown = visible(cols);
    const rows = Math.max(1, ...shown.map(c => c.ids.length + (c.more ? 1 : 0)));
    const width = PAD * 2 + Math.max(1, shown.length) * COL - (COL - NODE_W);
    const height = PAD * 2 + rows * ROW - (ROW - NODE_H);
    const at = new Map();
    shown.forEach((col, x) => {
      const top = PAD + (rows - col.ids.length - (col.more ? 1 : 0)) * ROW / 2;
      col.ids.forEach((id, y) => at.set(id, {x: PAD + x * COL, y: top + y * ROW}));
    });

    const edges = svg('g', {class: 'edges', 'aria-hidden': 'true'});
    for (const e of graph.edges) {
      const from = at.get(e.from);
      const to = at.get(e.to);
      if (!from || !to) {
        continue;
      }
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const x2 = to.x - 2;
      const y2 = to.y + NODE_H / 2;
      const bend = Math.max(24, (x2 - x1) / 2);
      edges.append(svg('path', {class: 'edge on-' + e.on_failure, 'data-from': e.from, 'data-to': e.to,
        d: `M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`, 'marker-end': 'url(#graph-arrow)'}));
    }

    const jobs = svg('g', {class: 'nodes'});
    for (const [id, p] of at) {
      const n = byId.get(id);
      const name = String(n.name);
      jobs.append(svg('a', {href: '#/jobs/' + id, class: 'node st-' + n.state, 'data-id': id, 'data-state': n.state,
        'aria-label': 'Job ' + id + ' ' + name + ': ' + n.state},
      svg('title', {}, name + ' (#' + id + '): ' + n.state),
      svg('rect', {x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 6}),
      svg('text', {x: p.x + 9, y: p.y + NODE_H / 2 + 5, class: 'name'}, Views.stateIcon(n.state) + ' ' + label(name, NAME_CHARS)),
      svg('text', {x: p.x + NODE_W - 8, y: p.y + NODE_H / 2 + 4, class: 'id', 'text-anchor': 'end'}, '#' + id)));
    }
    const more = svg('g', {class: 'more'});
    shown.forEach((col, x) => {
      if (col.more) {
        const last = at.get(col.ids[col.ids.length - 1]);
        more.append(svg('text', {x: PAD + x * COL + NODE_W / 2, y: last.y + ROW + NODE_H / 2, 'text-anchor': 'middle'},
          '+ ' + col.more + ' more'));
      }
    });

    const arrow = svg('marker', {id: 'graph-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
      markerHeight: 7, orient: 'auto'}, svg('path', {d: 'M0 0 L10 5 L0 10 z'}));
    target.replaceChildren(svg('defs', {}, arrow), edges, jobs, more);
    target.setAttribute('viewBox', `0 0 ${width} ${height}`);
    target.setAttribute('width', width);
    target.setAttribute('height', height);
    jobs.querySelectorAll('a.node').forEach(fit);
    return {shownJobs: at.size, note: note(cols, shown, at.size, nodes.length)};
  }

  // a job event: the node's colour follows at once, before the next read of the workflow
  function setState(target, id, state) {
    const node = target.querySelector('a.node[data-id="' + id + '"]');
    if (!node || node.dataset.state === state) {
      return;
    }
    node.setAttribute('class', 'node st-' + state);
    node.dataset.state = state;
    const name = node.querySelector('title').textContent.replace(/\): \w+$/, '): ' + state);
    node.querySelector('title').textContent = name;
    node.setAttribute('aria-label', node.getAttribute('aria-label').replace(/: \w+$/, ': ' + state));
    const text = node.querySelector('text.name');
    text.textContent = Views.stateIcon(state) + text.textContent.slice(text.textContent.indexOf(' '));
  }

  return {draw, setState, MAX_NODES};
})();
