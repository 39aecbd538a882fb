// Forms talk to the JSON API: one code path for the browser and for other tools.
// A form with data-api="METHOD /api/…" is sent as JSON (or multipart with data-multipart),
// with the session's CSRF token; errors are shown in the form, success reloads or redirects.
(function () {
  'use strict';
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || '';
  const messages = JSON.parse(document.getElementById('messages')?.textContent || '{}');
  const t = (k) => messages[k] || k;

  async function call(method, url, body, extraHeaders) {
    const headers = Object.assign({ 'X-CSRF-Token': csrf(), Accept: 'application/json' }, extraHeaders || {});
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
    const text = await res.text();
    const json = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const err = new Error((json.error && json.error.message) || res.statusText);
      err.details = json.error && json.error.details;
      err.status = res.status;
      throw err;
    }
    return json;
  }
  window.shuping = { call, t };

  // Field names with dots make nested objects; numeric segments make arrays.
  function setPath(obj, path, value) {
    const keys = path.split('.');
    let cur = obj;
    keys.forEach((k, i) => {
      const last = i === keys.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(keys[i + 1]);
      if (last) cur[k] = value;
      else cur = cur[k] = cur[k] || (nextIsIndex ? [] : {});
    });
  }

  function serialize(form) {
    const out = {};
    // data-arrays="roles": the list is sent even when nothing is ticked.
    for (const name of (form.dataset.arrays || '').split(/\s+/).filter(Boolean)) setPath(out, name, []);
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === 'file' || el.type === 'submit') continue;
      if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) continue;
      // name="roles[]": every ticked box adds to a list.
      if (el.name.endsWith('[]')) {
        const key = el.name.slice(0, -2);
        const list = key.split('.').reduce((o, k) => (o ? o[k] : undefined), out) || [];
        list.push(el.value);
        setPath(out, key, list);
        continue;
      }
      let v = el.value;
      if (el.type === 'checkbox' && el.dataset.bool !== undefined) v = true;
      if (el.type === 'number') v = v === '' ? null : Number(v);
      else if (el.type === 'datetime-local' && v) v = new Date(v).toISOString();
      else if (v === '' && el.dataset.optional !== undefined) continue;
      setPath(out, el.name, v);
    }
    // Arrays built from rows may have holes after a row is removed.
    const compact = (o) => {
      if (Array.isArray(o)) return o.filter((x) => x !== undefined).map(compact);
      if (o && typeof o === 'object') for (const k of Object.keys(o)) o[k] = compact(o[k]);
      return o;
    };
    return compact(out);
  }

  // Engine messages read "中文 (English)": show the half in the page's language.
  function localize(message) {
    const m = /^([\s\S]*\S)\s*\(([^()]*)\)$/.exec(message || '');
    if (!m) return message;
    return document.documentElement.lang === 'en' ? m[2] : m[1];
  }

  // A field path of the API (data.items.0.dueDate, branches[row 3].secretaryEmail) in words:
  // the row or item number and the field's label from the page's dictionary.
  function fieldLabel(path) {
    const parts = [];
    const row = /\brow (\d+)/.exec(path);
    const list = /^(branches|panel)\b/.exec(path);
    if (list) parts.push(t('field_' + list[1]));
    if (row) parts.push(t('rowN').replace('{n}', row[1]));
    const segs = path.replace(/\[[^\]]*\]/g, '').split('.').filter(Boolean);
    const idx = segs.findIndex((x) => /^\d+$/.test(x));
    if (!row && idx > 0) parts.push(t('itemN').replace('{n}', String(Number(segs[idx]) + 1)));
    const last = [...segs].reverse().find((x) => !/^\d+$/.test(x) && x !== 'data');
    const label = last && messages['field_' + last];
    if (label && !(list && last === list[1])) parts.push(label);
    return parts.length ? parts.join(' ') : path;
  }
  window.shuping.fieldLabel = fieldLabel;

  function showError(form, err) {
    const box = form.querySelector('.form-error') || form.insertBefore(Object.assign(document.createElement('div'), { className: 'form-error' }), form.firstChild);
    const issues = (err.details && err.details.issues) || [];
    box.textContent = issues.length ? issues.map((i) => `${fieldLabel(i.field)}${t('colon')}${localize(i.message)}`).join('\n') : localize(err.message);
    box.classList.remove('hidden');
    box.setAttribute('role', 'alert');
    box.setAttribute('tabindex', '-1');
    box.focus({ preventScroll: false });
  }

  // The confirmation of a weighty action: a dialog naming the branch and the effect, with a reason
  // where the rule needs one (data-confirm-reason="data.reason" copies it into the form's field).
  function confirmAction(form) {
    const dialog = document.getElementById('confirm-dialog');
    if (!dialog || typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(form.dataset.confirm));
    const needsReason = form.dataset.confirmReason;
    const reasonLabel = document.getElementById('confirm-reason-label');
    const reason = document.getElementById('confirm-reason');
    const error = document.getElementById('confirm-error');
    document.getElementById('confirm-title').textContent = form.dataset.confirmTitle || t('confirm');
    document.getElementById('confirm-text').textContent = form.dataset.confirm;
    document.getElementById('confirm-ok').textContent = form.dataset.confirmOk || t('confirm');
    reasonLabel.classList.toggle('hidden', !needsReason);
    // Checked here rather than by the browser, so that the dialog itself says what is missing.
    if (needsReason) reason.setAttribute('aria-required', 'true'); else reason.removeAttribute('aria-required');
    const field = needsReason ? form.querySelector(`[name="${needsReason}"]`) : null;
    reason.value = field ? field.value : '';
    error.classList.add('hidden');
    dialog.showModal();
    (needsReason ? reason : document.getElementById('confirm-ok')).focus();
    return new Promise((resolve) => {
      const onSubmit = (e) => {
        const ok = e.submitter && e.submitter.value === 'ok';
        if (ok && needsReason && !reason.value.trim()) {
          e.preventDefault();
          error.textContent = t('reasonRequired');
          error.classList.remove('hidden');
          reason.focus();
          return;
        }
        if (ok && field) field.value = reason.value.trim();
        finish(ok);
      };
      const onCancel = () => finish(false);
      const finish = (ok) => {
        dialog.querySelector('form').removeEventListener('submit', onSubmit);
        dialog.removeEventListener('cancel', onCancel);
        if (dialog.open) dialog.close();
        resolve(ok);
      };
      dialog.querySelector('form').addEventListener('submit', onSubmit);
      dialog.addEventListener('cancel', onCancel);
    });
  }

  async function uploadFiles(form) {
    const ids = [];
    for (const input of form.querySelectorAll('input[type=file][data-upload]')) {
      for (const file of input.files) {
        const fd = new FormData();
        fd.append('file', file);
        const res = await call('POST', input.dataset.upload, fd);
        ids.push(res.file.id);
      }
    }
    return ids;
  }

  document.addEventListener('submit', async (e) => {
    const form = e.target;
    if (!form.dataset.api) return;
    e.preventDefault();
    if (form.dataset.confirm && !(await confirmAction(form))) return;
    composeSections(form);
    const [method, url] = form.dataset.api.split(' ');
    const button = form.querySelector('button[type=submit], button:not([type])');
    if (button) button.disabled = true;
    form.querySelector('.form-error')?.classList.add('hidden');
    try {
      let body;
      if (form.dataset.multipart !== undefined) {
        body = new FormData(form);
      } else {
        const fields = serialize(form);
        if (form.dataset.event) {
          const fileIds = await uploadFiles(form);
          const data = fields.data || {};
          if (fileIds.length) data.fileIds = (data.fileIds || []).concat(fileIds);
          body = { type: form.dataset.event, data: Object.keys(data).length ? data : undefined };
          if (fields.expectedVersion !== undefined) body.expectedVersion = Number(fields.expectedVersion);
        } else body = fields;
        if (form.dataset.null) body[form.dataset.null] = null;
      }
      const res = await call(method, url, body, form.dataset.event ? { 'Idempotency-Key': form.dataset.key || crypto.randomUUID() } : undefined);
      for (const el of form.querySelectorAll('[data-autosave]')) {
        try { localStorage.removeItem(el.dataset.autosave); } catch { /* storage unavailable */ }
      }
      if (form.dataset.redirect) window.location.href = form.dataset.redirect.replace('{id}', res.cycle ? res.cycle.id : '');
      else if (form.dataset.ok) {
        const ok = form.querySelector('.form-ok');
        if (ok) { ok.textContent = form.dataset.ok; ok.classList.remove('hidden'); }
      } else window.location.reload();
    } catch (err) {
      showError(form, err);
    } finally {
      if (button) button.disabled = false;
    }
  });

  document.addEventListener('click', async (e) => {
    const el = e.target.closest('[data-signout],[data-locale],[data-add-row],[data-remove-row]');
    if (!el) return;
    if (el.dataset.signout !== undefined) {
      await call('DELETE', '/api/session').catch(() => {});
      window.location.href = '/login';
    } else if (el.dataset.locale && csrf()) {
      e.preventDefault();
      await call('PUT', '/api/me/locale', { locale: el.dataset.locale }).catch(() => {});
      window.location.href = window.location.pathname;
    } else if (el.dataset.addRow !== undefined) {
      const list = document.getElementById(el.dataset.addRow);
      const tpl = list.querySelector('template');
      const n = list.querySelectorAll('.plan-row').length;
      const row = tpl.content.firstElementChild.cloneNode(true);
      row.querySelectorAll('[data-name]').forEach((input) => { input.name = input.dataset.name.replace('#', String(n)); input.required = true; });
      list.insertBefore(row, tpl);
    } else if (el.dataset.removeRow !== undefined) {
      el.closest('.plan-row').remove();
    }
  });

  // A report written as a section per topic: sections are joined into the one field the API takes
  // ("【topic】" then the text, paragraphs kept), and split again when the report is edited.
  const HEADING = /^【(.+?)】\s*$/;
  function composeSections(form) {
    for (const box of form.querySelectorAll('[data-compose]')) {
      const parts = [...box.querySelectorAll('[data-section]')]
        .filter((ta) => ta.value.trim())
        .map((ta) => `【${ta.dataset.section}】\n${ta.value.trim()}`);
      box.querySelector(`input[name="${box.dataset.compose}"]`).value = parts.join('\n\n');
    }
  }
  for (const box of document.querySelectorAll('[data-compose]')) {
    const sections = [...box.querySelectorAll('[data-section]')];
    const text = box.dataset.existing || '';
    let current = null;
    const found = new Map();
    for (const line of text.split('\n')) {
      const m = HEADING.exec(line);
      if (m) { current = m[1]; found.set(current, []); } else if (current !== null) found.get(current).push(line);
    }
    if (found.size) for (const ta of sections) ta.value = (found.get(ta.dataset.section) || []).join('\n').trim();
    else if (text && sections[0]) sections[0].value = text;
  }
  // Autosave (localStorage): restored when the page opens, forgotten once the form is sent.
  for (const el of document.querySelectorAll('[data-autosave]')) {
    let saved = null;
    try { saved = localStorage.getItem(el.dataset.autosave); } catch { /* storage unavailable */ }
    if (saved) el.value = saved;
    el.addEventListener('input', () => {
      try {
        localStorage.setItem(el.dataset.autosave, el.value);
        const note = el.form && el.form.querySelector('[data-autosave-note]');
        if (note) note.hidden = false;
      } catch { /* storage full or unavailable */ }
    });
  }

  // Sortable, filterable tables: <th data-sort="key" data-type="num"> and <input data-filter="tableId">.
  document.addEventListener('click', (e) => {
    const th = e.target.closest('th[data-sort]');
    if (!th) return;
    const table = th.closest('table');
    const idx = [...th.parentNode.children].indexOf(th);
    const asc = th.dataset.dir !== 'asc';
    th.dataset.dir = asc ? 'asc' : 'desc';
    const num = th.dataset.type === 'num';
    const rows = [...table.tBodies[0].rows];
    rows.sort((a, b) => {
      const x = a.cells[idx].dataset.value ?? a.cells[idx].textContent.trim();
      const y = b.cells[idx].dataset.value ?? b.cells[idx].textContent.trim();
      const c = num ? (Number(x) || 0) - (Number(y) || 0) : x.localeCompare(y, 'zh-CN');
      return asc ? c : -c;
    });
    rows.forEach((r) => table.tBodies[0].appendChild(r));
  });
  document.addEventListener('input', (e) => {
    const input = e.target.closest('[data-filter]');
    if (!input) return;
    applyFilter(input.dataset.filter);
  });
  document.addEventListener('change', (e) => {
    if (e.target.closest('[data-filter]')) applyFilter(e.target.closest('[data-filter]').dataset.filter);
  });
  function applyFilter(tableId) {
    const table = document.getElementById(tableId);
    const controls = document.querySelectorAll(`[data-filter="${tableId}"]`);
    for (const row of table.tBodies[0].rows) {
      const show = [...controls].every((c) => !c.value || (c.dataset.field ? row.dataset[c.dataset.field] === c.value : row.textContent.includes(c.value)));
      row.classList.toggle('hidden', !show);
    }
  }
  window.shuping.applyFilter = applyFilter;
})();
