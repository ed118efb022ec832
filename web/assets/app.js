/* app.js - the workbench's keys.  Pages are built by the server; this only
 * moves, decides through /api/decide (with the page's CSRF token and the
 * item version it showed) and previews corrections.  No inline script: the
 * Content-Security-Policy allows this file only. */
'use strict';
(function () {
  const page = document.body.dataset.page;
  const meta = document.querySelector('meta[name=csrf]');
  const csrf = meta ? meta.content : '';

  function post(url, data) {
    data.csrf = csrf;
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams(data),
    }).then(r => r.json().then(j => ({status: r.status, body: j})));
  }

  function busyInput(e) {
    return e.target.matches && e.target.matches('input, select, textarea, button');
  }

  function queue() {
    const rows = Array.from(document.querySelectorAll('tr.row'));
    let at = -1;
    function sel(i) {
      if (!rows.length) return;
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach((r, k) => r.classList.toggle('sel', k === at));
      rows[at].scrollIntoView({block: 'nearest'});
    }
    rows.forEach(r => r.addEventListener('click', e => {
      if (e.target.tagName !== 'A') location.href = r.dataset.href;
    }));
    document.addEventListener('keydown', e => {
      if (busyInput(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'j') { sel(at + 1); e.preventDefault(); }
      else if (e.key === 'k') { sel(at - 1); e.preventDefault(); }
      else if (e.key === 'Enter' && at >= 0) { location.href = rows[at].dataset.href; e.preventDefault(); }
      else if (e.key === 'a' && at >= 0) { e.preventDefault(); acceptAlike(rows[at]); }
    });
    const msg = document.getElementById('msg');

    /* a: every open field item of the selected row's group (batch, page,
     * field, reason) that reads the same value, once confirmed; each is
     * accepted at the version this page shows */
    function acceptAlike(row) {
      const r = row.dataset;
      if (r.kind !== 'field' || !row.classList.contains('open')) {
        msg.textContent = 'a accepts open field items only';
        msg.className = 'bad';
        return;
      }
      const alike = rows.filter(x => x.classList.contains('open') && x.dataset.kind === 'field' &&
                                     x.dataset.group === r.group && x.dataset.value === r.value);
      const parts = r.group.split('/');
      if (!confirm('Accept ' + alike.length + ' open item' + (alike.length === 1 ? '' : 's') +
                   ' of field ' + parts[2] + ' (' + parts[3] + ') on this page that read "' +
                   r.value + '"?')) return;
      post('/api/accept-items', {items: alike.map(x => x.dataset.id + ':' + x.dataset.version).join(',')})
        .then(res => {
          if (!res.body.ok) { msg.textContent = res.body.error; msg.className = 'bad'; return; }
          const refused = res.body.refused.map(x => '#' + x.item + ': ' + x.error).join('; ');
          sessionStorage.setItem('dg_queue_msg', 'accepted ' + res.body.accepted +
                                 (refused ? '; refused ' + refused : ''));
          location.reload();
        });
    }
    const said = sessionStorage.getItem('dg_queue_msg');
    if (said) { msg.textContent = said; msg.className = 'good'; sessionStorage.removeItem('dg_queue_msg'); }
    sel(0);
  }

  function item() {
    const d = document.getElementById('item').dataset;
    const id = d.id, q = d.query;
    const params = new URLSearchParams(q.replace(/^\?/, ''));
    const msg = document.getElementById('msg');
    const input = document.getElementById('correct');
    const preview = document.getElementById('preview');
    const canDecide = d.canDecide === '1';
    let previewed = null, busy = false;

    function say(text, bad) { msg.textContent = text; msg.className = bad ? 'bad' : 'good'; }
    function go(n) { if (n && n !== '0') location.href = '/item/' + n + q; }

    function decide(data) {
      if (busy) return;
      busy = true;
      data.item = id;
      data.version = d.version;
      for (const k of ['reason', 'key', 'sort']) if (params.get(k)) data[k] = params.get(k);
      say('saving…', false);
      post('/api/decide', data).then(res => {
        busy = false;
        if (!res.body.ok) { say(res.body.error, true); return; }
        sessionStorage.setItem('dg_last', id);
        if (res.body.next) go(String(res.body.next));
        else location.href = '/queue' + q;
      }).catch(err => { busy = false; say('network error: ' + err, true); });
    }

    /* u: this item's latest decision if it is decided, else the decision
     * this tab made last (the item it just left); then show that item */
    function undo() {
      const target = d.state !== 'open' ? id : sessionStorage.getItem('dg_last');
      if (!target) { say('nothing to undo', true); return; }
      if (busy) return;
      busy = true;
      post('/api/decide', {item: target, verb: 'undo'}).then(res => {
        busy = false;
        if (!res.body.ok) { say(res.body.error, true); return; }
        sessionStorage.removeItem('dg_last');
        location.href = '/item/' + target + q;
      }).catch(err => { busy = false; say('network error: ' + err, true); });
    }

    /* c: the crop with the row or card around the value, and back */
    const crop = document.getElementById('crop');
    function context() {
      if (!crop) return;
      const tight = crop.dataset.tight || crop.getAttribute('src');
      crop.dataset.tight = tight;
      crop.src = crop.getAttribute('src') === tight ? crop.dataset.context : tight;
      crop.classList.toggle('context');
    }

    function showPreview() {
      const typed = input.value;
      if (!typed.trim()) return;
      fetch('/api/preview?item=' + id + '&value=' + encodeURIComponent(typed),
            {credentials: 'same-origin'})
        .then(r => r.json())
        .then(j => {
          if (input.value !== typed) return;
          if (!j.ok) { preview.textContent = j.error; preview.className = 'bad'; previewed = null; return; }
          preview.textContent = 'will store: ' + j.value + '  (Enter again saves, Esc cancels)';
          preview.className = 'good';
          preview.dataset.value = j.value;
          previewed = typed;
        });
    }

    if (input) {
      input.addEventListener('input', () => { previewed = null; preview.textContent = ''; });
      input.addEventListener('keydown', e => {
        if (e.isComposing) return;
        if (e.key === 'Enter') {
          e.preventDefault();
          if (previewed !== null && previewed === input.value) decide({verb: 'correct', value: input.value});
          else showPreview();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          input.value = '';
          previewed = null;
          preview.textContent = '';
          input.blur();
        }
      });
    }

    document.addEventListener('keydown', e => {
      if (busyInput(e) || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      const k = e.key;
      if (k === 'j') { e.preventDefault(); go(d.next); return; }
      if (k === 'c') { e.preventDefault(); context(); return; }
      if (k === 'k') { e.preventDefault(); go(d.prev); return; }
      if (!canDecide) return;
      if (k === 'Enter') { e.preventDefault(); decide({verb: 'accept'}); return; }
      if (k === 'u') { e.preventDefault(); undo(); return; }
      if (k === 'x') {
        /* reject: the value (or page, or link) is wrong and cannot be set
         * right here; the library wants the reason */
        e.preventDefault();
        const why = prompt('Reject item ' + id + ': why?');
        if (why && why.trim()) decide({verb: 'reject', why: why.trim()});
        return;
      }
      if (/^[1-9]$/.test(k)) {
        e.preventDefault();
        const n = Number(k);
        if (n > Number(d.picks)) { say('there is no reading ' + n, true); return; }
        decide({verb: 'pick', candidate: String(n)});
        return;
      }
      if (!input) return;
      if (k === 'e') { e.preventDefault(); input.focus(); return; }
      /* any other character starts a correction: focus moves before the
       * character is inserted, so it lands in the box */
      if (k.length === 1 || k === 'Process') input.focus();
    });
  }

  /* the page view: j/k (and Tab) move between the fields' boxes in reading
   * order, Enter follows the focused box (the browser's own link), [ and ]
   * go to the previous and next page; the focused field is named above */
  function pageview() {
    const boxes = Array.from(document.querySelectorAll('svg.pageview a.field'));
    const info = document.getElementById('fieldinfo');
    let at = -1;
    function show(i) {
      const a = boxes[i];
      const t = a.querySelector('title');
      info.textContent = (t ? t.textContent : '') + ' (' + (i + 1) + ' of ' + boxes.length + ')';
      document.querySelectorAll('table.pvfields tr.focus').forEach(r => r.classList.remove('focus'));
      const row = document.getElementById('row-' + a.dataset.field);
      if (row) row.classList.add('focus');
    }
    boxes.forEach((a, i) => a.addEventListener('focus', () => { at = i; show(i); }));
    function move(d) {
      if (!boxes.length) return;
      at = at < 0 ? (d > 0 ? 0 : boxes.length - 1) : (at + d + boxes.length) % boxes.length;
      boxes[at].focus();
    }
    document.addEventListener('keydown', e => {
      if (busyInput(e) || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (e.key === 'j') { e.preventDefault(); move(1); }
      else if (e.key === 'k') { e.preventDefault(); move(-1); }
      else if (e.key === '[' || e.key === ']') {
        const a = document.getElementById(e.key === '[' ? 'prevpage' : 'nextpage');
        if (a) { e.preventDefault(); location.href = a.getAttribute('href'); }
      }
    });
    /* land on the record the page was opened for */
    const first = boxes.findIndex(a => a.classList.contains('current'));
    if (first >= 0) boxes[first].focus();
  }

  if (page === 'queue') queue();
  else if (page === 'pageview') pageview();
  else if (page === 'item') item();
})();
