/* The advocate console's queue refreshes itself every REFRESH_SECONDS while the page is
   visible, so a request appears without a reload. Without JavaScript, a reload does the same. */
(function () {
  'use strict';
  var REFRESH_SECONDS = 15;
  var doc = document;

  function refresh() {
    var table = doc.querySelector('[data-queue]');
    if (!table || doc.visibilityState !== 'visible') { return; }
    fetch(location.href, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var next = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-queue]');
        if (next) { table.replaceWith(doc.adoptNode(next)); }
      })
      .catch(function () { /* the next round tries again */ });
  }

  setInterval(refresh, REFRESH_SECONDS * 1000);
}());
