// The meeting runner: renders the view the server sends (at load, after each action, and on every
// server-sent event), ticks the timer from the stored instants, and sends the runner's commands and
// the branch events (RECORD_QA, END_PRESENTATION) to the JSON API.
(function () {
  'use strict';
  const root = document.getElementById('meeting');
  if (!root) return;
  const t = (k, vars) => String(window.shuping.t(k)).replace(/\{(\w+)\}/g, (_, n) => (vars && vars[n] !== undefined ? vars[n] : ''));
  const cycle = root.dataset.cycle;
  const api = `/api/cycles/${cycle}/meeting`;
  let view = JSON.parse(document.getElementById('meeting-view').textContent);
  let offset = Date.parse(view.serverNow) - Date.now();
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'draggable' || k === 'type' || k === 'title') e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };

  function showError(err) {
    const box = $('meeting-error');
    const issues = (err.details && err.details.issues) || [];
    box.textContent = issues.length ? issues.map((i) => i.message).join('\n') : err.message;
    box.classList.remove('hidden');
  }
  const clearError = () => $('meeting-error').classList.add('hidden');

  async function command(body) {
    clearError();
    try {
      await window.shuping.call('POST', api, body);
      await refresh();
    } catch (err) {
      showError(err);
    }
  }
  async function branchEvent(code, type, data) {
    clearError();
    const cur = view.agenda.find((a) => a.code === code);
    const res = await window.shuping.call('POST', `/api/cycles/${cycle}/branches/${code}/events`, { type, data, expectedVersion: cur ? cur.version : undefined }, { 'Idempotency-Key': crypto.randomUUID() });
    await refresh();
    return res;
  }
  async function refresh() {
    render(await window.shuping.call('GET', api));
  }

  const fmt = (ms) => {
    const s = Math.floor(Math.abs(ms) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  function tick() {
    const s = view.state;
    const timer = $('timer');
    if (!view.current) {
      timer.textContent = '--:--';
      timer.classList.remove('overtime', 'running');
      return;
    }
    const limit = view.segmentMinutes[s.segment] * 60000;
    const elapsed = s.elapsedMs + (s.runningSince ? Math.max(0, Date.now() + offset - Date.parse(s.runningSince)) : 0);
    const left = limit - elapsed;
    timer.textContent = left >= 0 ? fmt(left) : `${t('mt_overtime')} +${fmt(left)}`;
    timer.classList.toggle('overtime', left < 0);
    timer.classList.toggle('running', Boolean(s.runningSince));
    timer.dataset.leftMs = String(Math.round(left));
  }

  function move(code, delta) {
    const codes = view.agenda.map((a) => a.code);
    const i = codes.indexOf(code);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= codes.length) return;
    [codes[i], codes[j]] = [codes[j], codes[i]];
    command({ command: 'order', codes });
  }

  let dragged = null;
  function renderAgenda() {
    const list = $('agenda');
    list.replaceChildren();
    let group = null;
    view.agenda.forEach((a, i) => {
      if (view.state.grouped && (a.segment || '') !== group) {
        group = a.segment || '';
        list.append(el('li', { class: 'agenda-group', role: 'presentation' }, group || t('mt_noSegment')));
      }
      const badges = el('span', { class: 'agenda-badges' },
        a.phase ? el('span', { class: 'badge' + (a.phase === 'scoring' ? ' amber' : a.phase === 'scored' ? ' green' : '') }, t('phase_' + a.phase)) : null,
        a.done ? el('span', { class: 'badge green' }, t('mt_done')) : null,
        a.quorum && (a.phase === 'scoring' || a.phase === 'liveReview' || a.phase === 'scored') ? el('span', { class: 'badge' }, t('mt_quorumN', { n: a.quorum.scored, m: a.quorum.expected })) : null);
      const item = el('li', { class: 'agenda-item' + (a.current ? ' current' : '') + (a.done ? ' done' : ''), draggable: 'true', 'data-code': a.code, 'data-testid': `agenda-${a.code}` },
        el('span', { class: 'agenda-no', 'aria-hidden': 'true' }, String(i + 1)),
        el('span', { class: 'agenda-name' }, el('b', {}, a.name), el('span', { class: 'small muted' }, ` ${a.secretary}${a.segment ? ' · ' + a.segment : ''}`), badges),
        el('span', { class: 'agenda-buttons' },
          el('button', { type: 'button', class: 'secondary icon', 'aria-label': `${t('mt_moveUp')} ${a.name}`, title: t('mt_moveUp'), disabled: i === 0, onclick: () => move(a.code, -1) }, '↑'),
          el('button', { type: 'button', class: 'secondary icon', 'aria-label': `${t('mt_moveDown')} ${a.name}`, title: t('mt_moveDown'), disabled: i === view.agenda.length - 1, onclick: () => move(a.code, 1) }, '↓'),
          a.current ? null : el('button', { type: 'button', class: 'secondary', 'data-testid': `select-${a.code}`, onclick: () => command({ command: 'select', code: a.code }) }, t('mt_makeCurrent'))));
      item.addEventListener('dragstart', (e) => {
        dragged = a.code;
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', a.code);
      });
      item.addEventListener('dragover', (e) => e.preventDefault());
      item.addEventListener('drop', (e) => {
        e.preventDefault();
        const from = dragged || e.dataTransfer.getData('text/plain');
        dragged = null;
        if (!from || from === a.code) return;
        const codes = view.agenda.map((x) => x.code).filter((c) => c !== from);
        codes.splice(codes.indexOf(a.code) + (i > view.agenda.findIndex((x) => x.code === from) ? 1 : 0), 0, from);
        command({ command: 'order', codes });
      });
      list.append(item);
    });
  }

  function renderCurrent() {
    const c = view.current;
    const head = $('current-head');
    head.replaceChildren();
    if (!c) head.append(el('p', { class: 'muted' }, t('mt_none')));
    else {
      head.append(el('p', { class: 'current-name' }, el('b', {}, c.name), ' ', c.phase ? el('span', { class: 'badge red', 'data-testid': 'current-phase' }, t('phase_' + c.phase)) : null));
      head.append(el('p', { class: 'muted' }, `${t('mt_speaker')}${t('colon')}${c.secretary}`));
    }
    const segs = $('segments');
    segs.replaceChildren(...view.segments.map((s) => el('span', { role: 'listitem', class: 'segment' + (c && view.state.segment === s ? ' now' : ''), 'aria-current': c && view.state.segment === s ? 'step' : 'false' },
      `${t('mt_seg_' + s)} · ${t('mt_minutes', { n: view.segmentMinutes[s] })}`)));
    const last = view.state.segment === view.segments[view.segments.length - 1];
    $('btn-next').textContent = last && c ? t('mt_nextBranch') : t('mt_next');
    $('btn-start').disabled = Boolean(view.state.runningSince) || view.cycle.state !== 'launched';
    $('btn-pause').disabled = !view.state.runningSince;
    $('btn-close-qa').disabled = !c || c.phase !== 'liveReview';
    const qaAllowed = c && (c.phase === 'liveReview');
    for (const f of $('qa-form').elements) f.disabled = !qaAllowed;
    const qa = $('qa-list');
    qa.replaceChildren();
    if (c && c.qa.length) for (const q of c.qa) qa.append(el('li', {}, el('b', {}, `${q.askedBy}${t('colon')}`), q.question, el('div', { class: 'qa-answer' }, `${t('answer')}${t('colon')}${q.answer}`)));
    else qa.append(el('li', { class: 'muted' }, t('mt_qaEmpty')));
  }

  function renderQuorum() {
    const box = $('quorum');
    box.replaceChildren();
    const shown = view.agenda.filter((a) => a.quorum && (a.current || a.phase === 'scoring' || a.phase === 'scored' || a.phase === 'liveReview'));
    if (!shown.length) box.append(el('p', { class: 'muted' }, t('mt_noneYet')));
    for (const a of shown) {
      box.append(el('div', { class: 'quorum-row', 'data-testid': `quorum-${a.code}` },
        el('b', {}, a.name), ' ', el('span', { class: 'badge' + (a.quorum.scored === a.quorum.expected ? ' green' : ' amber') }, t('mt_quorumN', { n: a.quorum.scored, m: a.quorum.expected })),
        el('div', { class: 'small muted' }, `${t('mt_scoredBy')}${t('colon')}${a.quorum.names.length ? a.quorum.names.join(t('listSep')) : t('mt_noneYet')}`)));
    }
  }

  function render(v) {
    view = v;
    offset = Date.parse(v.serverNow) - Date.now();
    $('group-toggle').checked = v.state.grouped;
    $('displays-live').textContent = t('mt_displaysLive', { n: v.displays });
    renderAgenda();
    renderCurrent();
    renderQuorum();
    tick();
  }

  $('group-toggle').addEventListener('change', (e) => command({ command: 'group', bySegment: e.target.checked }));
  $('btn-start').addEventListener('click', () => command({ command: 'start' }));
  $('btn-pause').addEventListener('click', () => command({ command: 'pause' }));
  $('btn-next').addEventListener('click', () => command({ command: 'next' }));
  $('btn-close-qa').addEventListener('click', async () => {
    const c = view.current;
    if (!c) return;
    try {
      await branchEvent(c.code, 'END_PRESENTATION');
    } catch (err) {
      showError(err);
    }
  });
  $('qa-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    const c = view.current;
    if (!c) return;
    const box = f.querySelector('.form-error');
    box.classList.add('hidden');
    try {
      await branchEvent(c.code, 'RECORD_QA', { askedById: f.askedById.value, question: f.question.value, answer: f.answer.value });
      f.question.value = '';
      f.answer.value = '';
      f.question.focus();
    } catch (err) {
      const issues = (err.details && err.details.issues) || [];
      box.textContent = issues.length ? issues.map((i) => `${window.shuping.fieldLabel(i.field)}${t('colon')}${i.message}`).join('\n') : err.message;
      box.classList.remove('hidden');
    }
  });
  $('remarks-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    await command({ command: 'remarks', text: $('remarks-text').value });
    $('remarks-saved').classList.remove('hidden');
  });
  $('btn-display').addEventListener('click', async () => {
    try {
      const { url } = await window.shuping.call('POST', `${api}/displays`);
      const out = $('display-url');
      out.replaceChildren(el('a', { href: url, target: '_blank', rel: 'noopener' }, url));
      await refresh();
    } catch (err) {
      showError(err);
    }
  });
  $('btn-revoke-displays').addEventListener('click', async () => {
    try {
      await window.shuping.call('DELETE', `${api}/displays`);
      $('display-url').replaceChildren();
      await refresh();
    } catch (err) {
      showError(err);
    }
  });

  // Who holds a live link (the links themselves are shown once, when issued); each may be revoked.
  async function linkStatus() {
    const { panel } = await window.shuping.call('GET', `/api/cycles/${cycle}/panel-links`);
    $('panel-link-status').replaceChildren(...panel.map((p) => el('li', {},
      el('b', {}, p.name), ' ', el('span', { class: 'small muted' }, p.email), ' ',
      p.expiresAt
        ? el('span', {}, el('span', { class: 'badge green' }, `${t('pl_expires')} ${p.expiresAt.slice(0, 10)}`), ' ',
          el('button', { type: 'button', class: 'link danger', 'aria-label': `${t('pl_revoke')} ${p.name}`, onclick: async () => {
            try {
              await window.shuping.call('DELETE', `/api/cycles/${cycle}/panel-links/${p.userId}`);
              await linkStatus();
            } catch (err) {
              showError(err);
            }
          } }, t('pl_revoke')))
        : el('span', { class: 'badge' }, t('pl_noLink')))));
  }

  $('btn-panel-links').addEventListener('click', async () => {
    try {
      const { links } = await window.shuping.call('POST', `/api/cycles/${cycle}/panel-links`, {});
      $('panel-links').replaceChildren(...links.map((l) => el('figure', { class: 'qr-card', 'data-testid': 'panel-link' },
        el('img', { src: l.qr, alt: `${t('pl_qr')} · ${l.name}` }),
        el('figcaption', { class: 'small' }, el('b', {}, l.name), el('div', { class: 'muted break' }, l.email),
          el('a', { href: l.url, class: 'break', 'data-testid': 'panel-link-url' }, l.url),
          el('div', { class: 'muted' }, `${t('pl_expires')} ${l.expiresAt.slice(0, 10)}`)))));
      await linkStatus();
    } catch (err) {
      showError(err);
    }
  });

  render(view);
  linkStatus().catch(() => {});
  setInterval(tick, 250);
  if (window.EventSource) {
    const source = new EventSource(`${api}/stream`);
    source.addEventListener('meeting', (e) => render(JSON.parse(e.data)));
  }
})();
