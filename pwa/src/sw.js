/* Keeps the start page usable offline. It stores the start page and static files, and nothing
   else: every other request goes to the network untouched and is never written to a cache. */
'use strict';
var CACHE = 'v-__VERSION__';
var SHELL = __SHELL__;
var START = SHELL[0];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) {
      return new Request(url, { credentials: 'omit' });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.indexOf('/static/') === 0;
}

function isStart(request, url) {
  return request.method === 'GET' && url.origin === self.location.origin && url.pathname === START &&
    url.search === '';
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === 'GET' && isStatic(url)) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
      });
    }));
    return;
  }
  if (isStart(request, url)) {
    /* The live start page first; the kept copy only when the network is gone. */
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(START); });
    }));
  }
});
