/* The call form: the time zone comes from this device when it is one of the choices, and
   "what the message may say" shows only when a message is allowed. */
window.appPage(function (doc) {
  'use strict';
  var zone = doc.querySelector('select[data-zone]');
  if (zone && !zone.hasAttribute('data-ready')) {
    zone.setAttribute('data-ready', '');
    var here = '';
    try { here = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { /* keep the default */ }
    if (here && zone.querySelector('option[value="' + here.replace(/"/g, '') + '"]')) { zone.value = here; }
  }
  var text = doc.querySelector('#voicemail_text');
  var choices = doc.querySelectorAll('input[name="voicemail"]');
  if (!text || !choices.length) { return; }
  var holder = text.closest('.field');
  function show() {
    var allowed = doc.querySelector('input[name="voicemail"]:checked');
    holder.hidden = !(allowed && allowed.value === 'yes');
  }
  choices.forEach(function (choice) { choice.addEventListener('change', show); });
  show();
});
