'use strict';
// What the Queues and Schedules pages share: an answer read again every 2 s while the page is shown, and a form whose
// refusals are shown next to the field they name.
const Page = (() => {
  const REFRESH_MS = 2000;

  // fetch() returns what render(answer) shows; failed(what, error) tells of a refusal, once and not every 2 s
  function polled(what, fetch, render, failed) {
    let timer = null;
    let loading = false;
    let shown = '';
    let lastError = '';

    async function load() {
      if (loading) {
        return;
      }
      loading = true;
      try {
        const answer = await fetch();
        lastError = '';
        const text = JSON.stringify(answer);
        // an unchanged answer leaves the rows alone, so a click on them is not lost to a re-render
        if (timer && text !== shown) {
          shown = text;
          render(answer);
        }
      } catch (e) {
        const text = e instanceof Api.ApiError ? e.describe() : e.message;
        if (text !== lastError) {
          lastError = text;
          failed(what, e);
        }
      } finally {
        loading = false;
      }
    }

    return {
      show() {
        if (!timer) {
          timer = setInterval(load, REFRESH_MS);
        }
        shown = '';
        load();
      },
      hide() {
        clearInterval(timer);
        timer = null;
      },
      // after a change: shown again even when the answer looks the same
      reload() {
        shown = '';
        load();
      },
    };
  }

  // the error slot of field f is #{prefix}{f}-error; a field the form has no input for is told in #{general}
  function fieldErrors(form, prefix, general) {
    return {
      clear() {
        form.querySelectorAll('.field-error').forEach(s => { s.textContent = ''; });
        form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
        document.getElementById(general).hidden = true;
      },
      // rate[1] goes to rate, job.command.url to job, naming the part
      show(e) {
        const f = form.elements;
        const field = e.field ? String(e.field).split(/[.[]/)[0] : '';
        const slot = field && f[field] ? document.getElementById(prefix + field + '-error') : null;
        if (slot) {
          slot.textContent = (e.field !== field ? e.field + ': ' : '') + e.message;
          f[field].setAttribute('aria-invalid', 'true');
          f[field].focus();
        } else {
          const text = document.getElementById(general);
          text.textContent = e instanceof Api.ApiError ? e.describe() : e.message;
          text.hidden = false;
        }
      },
    };
  }

  return {polled, fieldErrors};
})();
