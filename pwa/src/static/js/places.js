/* The search page: "Search near me" asks for the position only on this tap and sends it in
   the same POST; it is used for that answer alone. */
window.appPage(function (doc) {
  'use strict';
  var form = doc.querySelector('[data-finder]');
  if (!form || form.hasAttribute('data-ready') || !('geolocation' in navigator)) { return; }
  form.setAttribute('data-ready', '');
  doc.querySelectorAll('[data-near-me]').forEach(function (node) { node.hidden = false; });
  form.querySelector('button[data-near-me]').addEventListener('click', function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude.toFixed(4);
      form.elements.longitude.value = position.coords.longitude.toFixed(4);
      form.requestSubmit();
    }, function () { /* refused or unavailable: the ZIP code still works */ },
    { maximumAge: 0, timeout: 15000 });
  });
});
