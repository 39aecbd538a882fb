// The scoring form: a live total, and drafts saved to the server.
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
  const save = document.getElementById('save-draft');
  if (!save) return; // submitted: the form is locked
  save.addEventListener('click', async () => {
    const scores = {};
    inputs.forEach((i) => { scores[i.name.split('.').pop()] = i.value === '' ? null : Number(i.value); });
    const comment = form.querySelector('textarea[name="data.comment"]').value;
    try {
      await window.shuping.call('PUT', save.dataset.url, { scores, comment });
      document.getElementById('draft-saved').classList.remove('hidden');
    } catch (err) {
      window.alert(err.message);
    }
  });
})();
