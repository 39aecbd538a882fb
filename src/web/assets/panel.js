// The phone's score form behind a panel member's link: a live total, drafts, and the score sent
// to the link's own API (no session, no password: the link is the evaluator).
(function () {
  'use strict';
  const form = document.getElementById('score-form');
  if (!form) return;
  const inputs = [...form.querySelectorAll('input[type=number]')];
  const total = document.getElementById('score-total');
  const sum = () => {
    total.textContent = String(inputs.reduce((s, i) => s + (Number(i.value) || 0), 0));
  };
  inputs.forEach((i) => i.addEventListener('input', sum));
  sum();
  if (form.dataset.locked !== undefined) return;
  const url = form.dataset.linkScore;
  const read = () => {
    const scores = {};
    inputs.forEach((i) => { scores[i.name] = i.value === '' ? null : Number(i.value); });
    return { scores, comment: form.querySelector('textarea[name=comment]').value };
  };
  const box = form.querySelector('.form-error');
  const show = (err) => {
    const issues = (err.details && err.details.issues) || [];
    box.textContent = issues.length ? issues.map((i) => `${window.shuping.fieldLabel(i.field)}${window.shuping.t('colon')}${i.message}`).join('\n') : err.message;
    box.classList.remove('hidden');
    box.focus();
  };
  document.getElementById('save-draft').addEventListener('click', async () => {
    try {
      await window.shuping.call('PUT', `${url}/draft`, read());
      document.getElementById('draft-saved').classList.remove('hidden');
    } catch (err) {
      show(err);
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    e.stopPropagation();
    box.classList.add('hidden');
    const { scores, comment } = read();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await window.shuping.call('POST', `${url}/score`, { scores, comment, expectedVersion: Number(form.dataset.version) }, { 'Idempotency-Key': crypto.randomUUID() });
      window.location.href = form.dataset.redirect;
    } catch (err) {
      button.disabled = false;
      show(err);
    }
  });
})();
