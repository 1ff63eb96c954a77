/* The settings page: keep on this device what the server asked to remember (the look, the
   device's own code token), and show what depends on a code being set. */
window.appPage(function (doc) {
  'use strict';
  var prefs = window.appPrefs;
  var holder = doc.querySelector('[data-store]');
  if (holder) {
    try { prefs.save(JSON.parse(holder.getAttribute('data-store'))); } catch (e) { /* ignore */ }
    holder.removeAttribute('data-store');
  }
  var hasCode = Boolean(prefs.get().k);
  doc.querySelectorAll('[data-code-on]').forEach(function (node) { node.hidden = !hasCode; });
});
