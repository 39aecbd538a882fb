// The cycle wizard: six steps in one form, checked step by step in the browser, sent at the end as
// the cycle's JSON with the roster files (create: POST /api/cycles/import; edit: PUT …/draft).
// Errors from the server name the field or row in Chinese and bring the wizard back to its step.
(function () {
  'use strict';
  const form = document.getElementById('wizard');
  if (!form) return;
  const { call, t, fieldLabel } = window.shuping;
  const base = JSON.parse(document.getElementById('wizard-config').textContent || '{}');
  const steps = [...form.querySelectorAll('fieldset.step')];
  const labels = [...form.querySelectorAll('[data-step-label]')];
  const back = form.querySelector('[data-wizard-back]');
  const next = form.querySelector('[data-wizard-next]');
  const save = form.querySelector('[data-wizard-save]');
  const errorBox = document.getElementById('wizard-error');
  let current = 0;

  // datetime-local shows local time; the cycle keeps instants with their offset.
  const pad = (n) => String(n).padStart(2, '0');
  const toLocal = (iso) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  const toIso = (local) => {
    if (!local) return '';
    const d = new Date(local);
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? '+' : '-';
    return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  };
  for (const input of form.querySelectorAll('input[data-iso]')) if (input.dataset.iso) input.value = toLocal(input.dataset.iso);

  function show(n) {
    current = Math.max(0, Math.min(steps.length - 1, n));
    steps.forEach((s, i) => { s.hidden = i !== current; });
    labels.forEach((l, i) => {
      l.classList.toggle('now', i === current);
      l.classList.toggle('done', i < current);
      if (i === current) l.setAttribute('aria-current', 'step'); else l.removeAttribute('aria-current');
    });
    back.hidden = current === 0;
    next.hidden = current === steps.length - 1;
    save.hidden = current !== steps.length - 1;
    if (current === steps.length - 1) renderReview();
    form.dataset.step = String(current + 1);
    const legend = steps[current].querySelector('legend');
    if (legend) { legend.setAttribute('tabindex', '-1'); legend.focus({ preventScroll: true }); }
  }

  function stepValid(i) {
    for (const el of steps[i].querySelectorAll('input, textarea, select')) {
      if (!el.checkValidity()) { el.reportValidity(); return false; }
    }
    return true;
  }

  const rows = (id) => [...document.querySelectorAll(`#${id} tbody tr[data-row]`)];
  function rubricTotal() {
    const total = rows('rubric').reduce((s, r) => s + (Number(r.querySelector('[data-max]').value) || 0), 0);
    document.getElementById('rubric-total').textContent = String(total);
  }
  form.addEventListener('input', (e) => { if (e.target.closest('#rubric')) rubricTotal(); });
  rubricTotal();

  form.addEventListener('click', (e) => {
    if (e.target.closest('[data-wizard-next]')) { if (stepValid(current)) show(current + 1); }
    else if (e.target.closest('[data-wizard-back]')) show(current - 1);
    else if (e.target.closest('[data-drop-row]')) { e.target.closest('tr').remove(); rubricTotal(); }
    else if (e.target.closest('[data-add-criterion]')) {
      const tbody = document.querySelector('#rubric tbody');
      const tpl = tbody.querySelector('tr[data-row]');
      const row = tpl.cloneNode(true);
      const n = rows('rubric').length + 1;
      row.querySelector('[data-key]').value = `c${Date.now().toString(36)}`;
      row.querySelector('[data-name]').value = '';
      row.querySelector('[data-name]').setAttribute('aria-label', `${t('criterion')} ${n}`);
      row.querySelector('[data-max]').value = '';
      row.querySelector('[data-max]').setAttribute('aria-label', `${t('max')} ${n}`);
      tbody.appendChild(row);
      row.querySelector('[data-name]').focus();
    }
  });

  const val = (name) => form.elements[name] ? form.elements[name].value.trim() : '';
  function config() {
    const cap = val('topGradeCapPercent');
    const c = {
      ...base,
      year: Number(val('year')),
      title: val('title'),
      topics: val('topics').split('\n').map((s) => s.trim()).filter(Boolean),
      deadlines: Object.fromEntries(['materials', 'scoring', 'plan', 'followUp'].map((k) => [k, toIso(val(`deadlines.${k}`))])),
      meeting: { ...(base.meeting || {}), at: toIso(val('meeting.at')), place: val('meeting.place') },
      rubric: rows('rubric').map((r) => ({ key: r.querySelector('[data-key]').value, name: r.querySelector('[data-name]').value.trim(), max: Number(r.querySelector('[data-max]').value) })),
      grades: { bands: rows('bands').map((r) => ({ grade: r.querySelector('[data-grade]').value.trim(), min: Number(r.querySelector('[data-min]').value) })), topGradeCapPercent: cap === '' ? null : Number(cap) },
      democratic: { enabled: form.elements['democratic.enabled'].checked, weightPercent: Number(val('democratic.weightPercent') || 30) },
    };
    if (!c.meeting.host) delete c.meeting.host;
    return c;
  }

  function renderReview() {
    const c = config();
    const box = document.getElementById('review');
    const files = ['branches', 'panel'].map((k) => form.elements[k].files[0]);
    const line = (label, value) => {
      const dt = document.createElement('dt'); dt.textContent = label;
      const dd = document.createElement('dd'); dd.textContent = value;
      return [dt, dd];
    };
    const dl = document.createElement('dl');
    dl.className = 'kv';
    const fmt = (iso) => (iso ? toLocal(iso).replace('T', ' ') : '—');
    dl.append(
      ...line(t('field_year'), c.year), ...line(t('field_title'), c.title),
      ...line(t('field_topics'), c.topics.length ? c.topics.map((x, i) => `${i + 1}. ${x}`).join('\n') : t('none')),
      ...['materials', 'scoring', 'plan', 'followUp'].flatMap((k) => line(t('field_' + k), fmt(c.deadlines[k]))),
      ...line(t('meetingAt'), `${fmt(c.meeting.at)} · ${c.meeting.place}`),
      ...line(t('field_rubric'), c.rubric.map((r) => `${r.name} ${r.max}`).join('、')),
      ...line(t('field_bands'), c.grades.bands.map((g) => `${g.grade} ≥ ${g.min}`).join('、')),
      ...line(t('field_branches'), files[0] ? files[0].name : (base.branches ? t('rosterKept').replace('{n}', base.branches.length) : t('rosterMissing'))),
      ...line(t('field_panel'), files[1] ? files[1].name : (base.panel ? t('rosterKept').replace('{n}', base.panel.length) : t('rosterMissing'))),
    );
    dl.querySelectorAll('dd').forEach((dd) => dd.classList.add('pre'));
    box.replaceChildren(dl);
  }

  // Which step holds a field the server named.
  const STEP_OF = { year: 0, title: 0, topics: 1, deadlines: 2, meeting: 2, rubric: 3, grades: 3, democratic: 3, branches: 4, panel: 4, office: 4, leaders: 4, copyTo: 4 };
  function showErrors(err) {
    const issues = (err.details && err.details.issues) || [];
    const localize = (m) => { const x = /^([\s\S]*\S)\s*\(([^()]*)\)$/.exec(m || ''); return x ? (document.documentElement.lang === 'en' ? x[2] : x[1]) : m; };
    errorBox.textContent = issues.length ? issues.map((i) => `${fieldLabel(i.field)}${t('colon')}${localize(i.message)}`).join('\n') : localize(err.message);
    errorBox.classList.remove('hidden');
    const first = issues.length ? issues[0].field.replace(/^config\./, '').split(/[.[]/)[0] : '';
    if (first in STEP_OF) show(STEP_OF[first]);
    errorBox.focus();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errorBox.classList.add('hidden');
    const fd = new FormData();
    fd.append('configText', JSON.stringify(config()));
    for (const k of ['branches', 'panel']) if (form.elements[k].files[0]) fd.append(k, form.elements[k].files[0]);
    save.disabled = true;
    try {
      const res = form.dataset.mode === 'edit'
        ? await call('PUT', `/api/cycles/${form.dataset.cycle}/draft`, fd)
        : await call('POST', '/api/cycles/import', fd);
      window.location.href = `/cycles/${res.cycle.id}/draft`;
    } catch (err) {
      showErrors(err);
    } finally {
      save.disabled = false;
    }
  });

  show(0);
})();
