'use strict';
// Throughput of the last 10 minutes in 10-second buckets: the history comes from the server once, then every
// counters event adds the jobs finished since the previous one. Drawn as inline SVG bars (done over failed).
const Chart = (() => {
  const N = 60;
  const BUCKET_MS = 10000;
  const SVG = 'http://www.w3.org/2000/svg';
  let done = new Array(N).fill(0);
  let failed = new Array(N).fill(0);
  let bucket = Math.floor(Date.now() / BUCKET_MS);
  let last = null;

  function roll() {
    const now = Math.floor(Date.now() / BUCKET_MS);
    const shift = Math.min(N, now - bucket);
    if (shift > 0) {
      done = done.slice(shift).concat(new Array(shift).fill(0));
      failed = failed.slice(shift).concat(new Array(shift).fill(0));
      bucket = now;
    }
  }

  function history(h) {
    const pad = a => new Array(Math.max(0, N - a.length)).fill(0).concat(a.slice(-N));
    done = pad(h.done);
    failed = pad(h.failed);
    bucket = Math.floor(Date.now() / BUCKET_MS);
    draw();
  }

  function counters(c) {
    roll();
    if (last) {
      // deletions and pruning make counts fall; that is not negative throughput
      done[N - 1] += Math.max(0, c.done - last.done);
      failed[N - 1] += Math.max(0, c.failed - last.failed);
    }
    last = {done: c.done, failed: c.failed};
    draw();
  }

  function perSecondLastMinute() {
    let sum = 0;
    for (let i = N - 6; i < N; i++) {
      sum += done[i] + failed[i];
    }
    return sum / 60;
  }

  function draw() {
    const svg = document.getElementById('chart');
    const max = Math.max(1, ...done.map((d, i) => d + failed[i]));
    const width = 600 / N;
    while (svg.lastChild && svg.lastChild.nodeName !== 'title') {
      svg.removeChild(svg.lastChild);
    }
    for (let i = 0; i < N; i++) {
      const total = done[i] + failed[i];
      if (!total) {
        continue;
      }
      const hDone = done[i] / max * 110;
      const hFailed = failed[i] / max * 110;
      for (const [cls, h, y] of [['done', hDone, 120 - hDone], ['failed', hFailed, 120 - hDone - hFailed]]) {
        if (h > 0) {
          const r = document.createElementNS(SVG, 'rect');
          r.setAttribute('class', cls);
          r.setAttribute('x', (i * width + 0.5).toFixed(1));
          r.setAttribute('width', (width - 1).toFixed(1));
          r.setAttribute('y', y.toFixed(1));
          r.setAttribute('height', Math.max(h, 0.5).toFixed(1));
          svg.appendChild(r);
        }
      }
    }
    document.getElementById('chart-max').textContent = 'peak ' + max + ' / 10 s';
    const rate = perSecondLastMinute();
    document.getElementById('rate').textContent = (rate < 10 ? rate.toFixed(1) : Math.round(rate)) + ' jobs/s (last minute)';
    svg.querySelector('title').textContent = 'Throughput chart: ' + rate.toFixed(1) + ' jobs per second in the last minute';
  }

  return {history, counters, draw};
})();
