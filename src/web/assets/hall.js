// The hall display: shows what the server sends (at load and on every server-sent event) and ticks
// the time left from the stored instants; red in overtime. Read-only.
(function () {
  'use strict';
  const root = document.getElementById('hall');
  if (!root) return;
  const messages = JSON.parse(document.getElementById('messages').textContent || '{}');
  const t = (k, vars) => String(messages[k] || k).replace(/\{(\w+)\}/g, (_, n) => (vars && vars[n] !== undefined ? vars[n] : ''));
  const $ = (id) => document.getElementById(id);
  let view = JSON.parse(document.getElementById('hall-view').textContent);
  let offset = Date.parse(view.serverNow) - Date.now();
  const fmt = (ms) => {
    const s = Math.floor(Math.abs(ms) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };

  function tick() {
    const c = view.current;
    const timer = $('hall-timer');
    if (!c) {
      timer.textContent = '';
      timer.classList.remove('overtime');
      return;
    }
    const elapsed = c.elapsedMs + (c.runningSince ? Math.max(0, Date.now() + offset - Date.parse(c.runningSince)) : 0);
    const left = c.limitMs - elapsed;
    timer.textContent = left >= 0 ? fmt(left) : `+${fmt(left)}`;
    timer.classList.toggle('overtime', left < 0);
    timer.dataset.leftMs = String(Math.round(left));
    $('hall-state').textContent = left < 0 ? t('mt_overtime') : c.runningSince ? '' : t('mt_paused');
    $('hall-state').classList.toggle('overtime', left < 0);
  }

  function render(v) {
    view = v;
    offset = Date.parse(v.serverNow) - Date.now();
    const c = v.current;
    root.dataset.version = String(v.version);
    $('hall-branch').textContent = c ? c.name : t('mt_waiting');
    $('hall-speaker').textContent = c ? `${t('mt_speaker')}${t('colon')}${c.speaker}` : '';
    $('hall-segment').textContent = c ? `${c.segmentLabel} · ${t('mt_ofN', { n: c.position, m: c.of })}` : '';
    $('hall-next').textContent = v.next ? `${t('mt_nextUp')}${t('colon')}${v.next.name} · ${v.next.speaker}` : '';
    tick();
  }

  render(view);
  setInterval(tick, 250);
  if (window.EventSource) {
    const source = new EventSource(`/api/hall/${root.dataset.token}/stream`);
    source.addEventListener('meeting', (e) => render(JSON.parse(e.data)));
    source.addEventListener('gone', () => {
      source.close();
      view = { ...view, current: null, next: null };
      $('hall-branch').textContent = t('mt_linkGone');
      $('hall-speaker').textContent = '';
      $('hall-segment').textContent = '';
      $('hall-next').textContent = '';
      tick();
    });
  }
})();
