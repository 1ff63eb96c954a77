/* The search page: "Search near me" asks for the position only on this tap and sends it in the
   same POST; it is used for that answer alone. */
(function () {
  'use strict';
  var doc = document;
  var form = doc.querySelector('[data-finder]');
  if (!form || !('geolocation' in navigator)) { return; }
  doc.querySelectorAll('[data-near-me]').forEach(function (node) { node.hidden = false; });
  form.querySelector('button[data-near-me]').addEventListener('click', function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude.toFixed(4);
      form.elements.longitude.value = position.coords.longitude.toFixed(4);
      form.requestSubmit();
    }, function () { /* refused or unavailable: the ZIP code still works */ },
    { maximumAge: 0, timeout: 15000 });
  });
}());
