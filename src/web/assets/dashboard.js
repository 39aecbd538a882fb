// The leader dashboard: polls the cycle's JSON every few seconds and redraws without reloading.
(function () {
  'use strict';
  const root = document.getElementById('dashboard');
  if (!root) return;
  const { t, call } = window.shuping;
  const RED = '#C8161D';

  const charts = {};
  const chart = (id) => (charts[id] = charts[id] || window.echarts.init(document.getElementById(id), null, { renderer: 'svg' }));
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
  document.getElementById('cycle-select').addEventListener('change', (e) => { window.location.href = `/dashboard?cycle=${e.target.value}`; });

  const el = (tag, attrs, ...children) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') n.className = v;
      else if (k.startsWith('data-')) n.setAttribute(k, v);
      else n[k] = v;
    }
    for (const c of children) n.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
    return n;
  };

  // 等次: the default bands' order; other names after them, as they come.
  const GRADE_ORDER = ['好', '较好', '一般', '差'];
  const gradeRank = (g) => (GRADE_ORDER.includes(g) ? GRADE_ORDER.indexOf(g) : GRADE_ORDER.length);
  const SCALE = ['#1b7a3a', '#6a9a1f', '#b7791f', '#c8161d'];
  const gradeColour = (g, i, n) => (GRADE_ORDER.includes(g) ? SCALE[GRADE_ORDER.indexOf(g)] : SCALE[Math.min(SCALE.length - 1, Math.round((i / Math.max(1, n - 1)) * (SCALE.length - 1)))]);

  /** An empty chart says so (暂无数据) instead of drawing empty axes; answers whether it is empty. */
  function empty(id, isEmpty) {
    const box = document.getElementById(id);
    let note = box.parentNode.querySelector(`[data-empty-for="${id}"]`);
    if (!note) {
      note = el('p', { class: 'chart-empty muted', 'data-empty-for': id }, t('noData'));
      box.after(note);
    }
    note.classList.toggle('hidden', !isEmpty);
    box.classList.toggle('hidden', isEmpty);
    if (isEmpty && charts[id]) { charts[id].dispose(); delete charts[id]; }
    return isEmpty;
  }

  /** The numbers of a chart as a table, for those who do not see the chart. */
  function alt(id, caption, rows) {
    const box = document.getElementById(id);
    box.setAttribute('aria-hidden', 'true');
    let table = box.parentNode.querySelector(`table[data-alt-for="${id}"]`);
    if (!table) {
      table = el('table', { class: 'sr-only', 'data-alt-for': id });
      box.after(table);
    }
    table.replaceChildren(el('caption', {}, caption), el('tbody', {}, ...rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v ?? 0)))));
  }

  function render(d) {
    const stats = document.getElementById('stats');
    stats.replaceChildren(
      el('div', { class: 'stat' }, el('b', {}, d.total), el('span', {}, t('branch'))),
      // 已完成 and 免于述评 counted apart: an exempted branch was not reviewed.
      // The final phases of the cycle's kind (closed and exempted; a quarter's published and excused).
      ...d.finalPhases.map((p) => el('div', { class: 'stat' }, el('b', { 'data-testid': `${p}-count` }, d.counts[p]), el('span', {}, t('phase_' + p)))),
      el('div', { class: 'stat' }, el('b', { 'data-testid': 'overdue-count' }, d.overdueCount), el('span', {}, t('overdue'))),
      el('div', { class: 'stat' }, el('b', {}, t('cycle_' + d.cycle.state)), el('span', {}, t('state'))),
    );
    const phases = d.phases.filter((p) => p !== 'exempted');
    const sum = (xs) => xs.reduce((a, b) => a + (Number(b) || 0), 0);
    alt('chart-funnel', t('funnel'), phases.map((p) => [t('phase_' + p), d.counts[p]]));
    if (!empty('chart-funnel', sum(phases.map((p) => d.counts[p])) === 0)) chart('chart-funnel').setOption({
      color: [RED, '#b0b0b0'],
      tooltip: { trigger: 'axis' },
      legend: d.lastYear ? { data: [t('thisYear'), t('lastYear')], bottom: 0 } : undefined,
      grid: { left: 96, right: 24, top: 6, bottom: d.lastYear ? 48 : 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: phases.map((p) => t('phase_' + p)) },
      series: [
        { name: t('thisYear'), type: 'bar', data: phases.map((p) => d.counts[p]), label: { show: true, position: 'right', formatter: (p) => (p.value ? p.value : '') } },
        ...(d.lastYear ? [{ name: t('lastYear'), type: 'bar', data: phases.map((p) => d.lastYear.counts[p]) }] : []),
      ],
    }, true);
    const buckets = ['<60', '60–69', '70–79', '80–89', '≥90'];
    alt('chart-dist', t('distribution'), buckets.map((b, i) => [b, d.distribution[i]]));
    if (!empty('chart-dist', sum(d.distribution) === 0)) chart('chart-dist').setOption({
      color: [RED, '#b0b0b0'],
      tooltip: { trigger: 'axis' },
      legend: d.lastYear ? { data: [t('thisYear'), t('lastYear')], bottom: 0 } : undefined,
      grid: { left: 40, right: 10, top: 10, bottom: d.lastYear ? 50 : 30 },
      xAxis: { type: 'category', data: buckets },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('thisYear'), type: 'bar', data: d.distribution },
        ...(d.lastYear ? [{ name: t('lastYear'), type: 'bar', data: d.lastYear.distribution }] : []),
      ],
    }, true);
    // Grades in their order, best first, each with its colour on one scale (green to red).
    const grades = Object.entries(d.grades).sort(([a], [b]) => gradeRank(a) - gradeRank(b));
    alt('chart-grades', t('grades'), grades);
    if (!empty('chart-grades', sum(grades.map(([, n]) => n)) === 0)) chart('chart-grades').setOption({
      color: grades.map(([g], i) => gradeColour(g, i, grades.length)),
      tooltip: { trigger: 'item' },
      legend: { bottom: 0, data: grades.map(([g]) => g) },
      series: [{ type: 'pie', radius: ['35%', '60%'], center: ['50%', '45%'], data: grades.map(([name, value]) => ({ name, value })), label: { formatter: '{b}\n{c}' } }],
    }, true);

    const list = document.getElementById('overdue-list');
    list.replaceChildren(
      ...(d.overdue.length
        ? d.overdue.slice(0, 10).map((b) => el('div', { class: 'task' }, el('a', { href: `/cycles/${d.cycle.id}/branches/${encodeURIComponent(b.code)}` }, `${b.code} ${b.name}`),
            el('span', { class: 'badge red' }, t('overdueN').replace('{n}', b.daysOverdue)), el('span', { class: 'small muted' }, b.overdue.map((k) => t('dl_' + k)).join('、'))))
        : [el('p', { class: 'muted' }, t('none'))]),
      ...(d.overdueCount > 10 ? [el('p', { class: 'small muted' }, `… +${d.overdueCount - 10}`)] : []),
    );

    const filter = document.getElementById('phase-filter');
    if (filter.options.length === 1) for (const p of d.phases) filter.append(el('option', { value: p }, t('phase_' + p)));
    const tbody = document.querySelector('#dash-table tbody');
    tbody.replaceChildren(
      ...d.branches.map((b) => {
        const cell = (label, value, sortValue, cls) => el('td', { 'data-label': label, class: cls || '', ...(sortValue !== undefined ? { 'data-value': sortValue } : {}) }, value);
        return el('tr', { class: b.overdue.length ? 'overdue' : '', 'data-phase': b.phase },
          cell(t('code'), b.code, undefined, 'hide-phone'),
          cell(t('branch'), el('a', { href: `/cycles/${d.cycle.id}/branches/${encodeURIComponent(b.code)}` }, b.name)),
          cell(t('phase'), el('span', { class: 'badge' }, t('phase_' + b.phase))),
          cell(t('overdueDays'), b.daysOverdue || '', b.daysOverdue, 'num'),
          cell(t('score'), b.score ?? '', b.score ?? '', 'num'),
          cell(t('grade'), b.grade ?? ''),
          cell(t('rank'), b.rank ?? '', b.rank ?? '', 'num hide-phone'),
          cell(t('lastYear'), b.lastYear && b.lastYear.score != null ? `${b.lastYear.score} ${b.lastYear.grade || ''}` : '', b.lastYear?.score ?? '', 'num hide-phone'));
      }),
    );
    const p = d.page;
    document.getElementById('dash-range').textContent = `${p.total ? p.offset + 1 : 0}–${p.offset + d.branches.length} / ${p.total}`;
    document.getElementById('dash-prev').disabled = p.offset === 0;
    document.getElementById('dash-next').disabled = p.offset + p.limit >= p.total;
    for (const th of document.querySelectorAll('#dash-table th[data-sort-key]')) {
      if (th.dataset.sortKey === p.sort) th.setAttribute('aria-sort', p.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    renderSegments(d);
    renderYear(d);
    document.getElementById('updated').textContent = `${t('updatedAt')} ${new Date(d.generatedAt).toLocaleTimeString()}`;
    root.dataset.state = d.cycle.state;
    root.dataset.closed = String(d.finalPhases.reduce((n, p) => n + d.counts[p], 0));
  }

  // 板块对比: one row per segment, this year's figure with last year's after it (issue 11).
  function renderSegments(d) {
    const card = document.getElementById('segments-card');
    card.classList.toggle('hidden', !d.segments.length);
    const both = (now, last) => (last == null ? (now ?? '–') : `${now ?? '–'}（${t('lastYear')} ${last}）`);
    const grades = (g) => Object.entries(g).map(([k, n]) => `${k} ${n}`).join(t('listSep'));
    document.querySelector('#segments-table tbody').replaceChildren(
      ...d.segments.map((s) => el('tr', { 'data-segment': s.segment ?? '' },
        el('td', { 'data-label': t('segment') }, s.segment ?? t('unsegmented')),
        el('td', { 'data-label': t('segmentBranches'), class: 'num' }, both(s.branches, s.lastYear?.branches)),
        el('td', { 'data-label': t('mean'), class: 'num' }, both(s.mean, s.lastYear?.mean)),
        el('td', { 'data-label': t('spread'), class: 'num' }, both(s.spread, s.lastYear?.spread)),
        el('td', { 'data-label': t('lowestBranch') }, s.lowest ? `${s.lowest.name} ${s.lowest.score}` : '–'),
        el('td', { 'data-label': t('segmentGrades') }, both(grades(s.grades) || '–', s.lastYear ? grades(s.lastYear.grades) || '–' : null)))),
    );
  }

  // 年度概览: the year's quarterly assessments beside its annual review (issue 11), each linking to its dashboard.
  function renderYear(d) {
    const rows = [...(d.year.annual ? [d.year.annual] : []), ...d.year.quarters];
    document.getElementById('year-card').classList.toggle('hidden', !d.year.quarters.length);
    const grades = (g) => Object.entries(g).map(([k, n]) => `${k} ${n}`).join(t('listSep')) || '–';
    document.querySelector('#year-table tbody').replaceChildren(
      ...rows.map((c) => el('tr', { class: c.id === d.cycle.id ? 'current' : '' },
        el('td', { 'data-label': t('cycleKind') }, el('a', { href: `/dashboard?cycle=${c.id}` }, c.kind === 'quarterlyAssessment' ? t('quarterN').replace('{n}', c.quarter) : t('annualReview'))),
        el('td', { 'data-label': t('state') }, t('cycle_' + c.state)),
        el('td', { 'data-label': t('segmentBranches'), class: 'num' }, c.total),
        el('td', { 'data-label': t('quarterScored'), class: 'num' }, c.scored),
        el('td', { 'data-label': t('mean'), class: 'num' }, c.mean ?? '–'),
        el('td', { 'data-label': t('segmentGrades') }, grades(c.grades)))),
    );
  }

  // The table is paged, sorted and filtered by the server; the poll sends the same query, and an
  // unchanged answer comes back as 304 (the browser revalidates with the ETag).
  const view = { offset: 0, limit: 50, sort: 'code', dir: 'asc', q: '', phase: '' };
  const query = () => new URLSearchParams(Object.entries(view).filter(([, v]) => v !== '' && v !== 0).map(([k, v]) => [k, String(v)])).toString();
  const change = (patch) => { Object.assign(view, patch); refresh(); };
  let typing;
  document.getElementById('dash-q').addEventListener('input', (e) => { clearTimeout(typing); typing = setTimeout(() => change({ q: e.target.value.trim(), offset: 0 }), 300); });
  document.getElementById('phase-filter').addEventListener('change', (e) => change({ phase: e.target.value, offset: 0 }));
  document.getElementById('dash-prev').addEventListener('click', () => change({ offset: Math.max(0, view.offset - view.limit) }));
  document.getElementById('dash-next').addEventListener('click', () => change({ offset: view.offset + view.limit }));
  for (const th of document.querySelectorAll('#dash-table th[data-sort-key]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sortKey;
      change({ sort: key, dir: view.sort === key && view.dir === 'asc' ? 'desc' : 'asc', offset: 0 });
    });
  }

  async function refresh() {
    try {
      render(await call('GET', `/api/cycles/${root.dataset.cycle}?${query()}`));
      document.getElementById('live').classList.remove('red');
    } catch {
      document.getElementById('live').classList.add('red');
    }
  }
  refresh();
  setInterval(refresh, Number(root.dataset.interval || 5000));
})();
