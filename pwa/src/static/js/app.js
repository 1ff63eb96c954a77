/* The safety core, on every page. No dependencies.

   What is served is built from this file with its comments removed, so the names below are
   chosen to say nothing to whoever reads the phone's caches: "out" is quick exit, "rest" the
   idle lock, "blank" the cloak, "start" the decoy page at /.

   - Quick exit (the .qx button, Shift three times, Escape twice outside a field): blank the
     page in the same task, drop in-memory secrets, end the visit with a request whose answer
     carries Clear-Site-Data, and replace the location with the neutral site itself, so the
     exit route never enters the browser's history.
   - One address: in-app links and forms fetch the next page and swap it into this document,
     so the tab's history, the browser's history and its session files hold only the address
     the app was opened at (the start page, /). Focus moves to the new page's heading.
   - Idle lock after data-idle seconds; the page is blanked whenever it is hidden (app switch,
     tab switch), and shown again on return only while the lock has not fallen.
   - Page scripts register with window.appPage(setup): setup(document) runs now and after
     every swap. window.appForget(fn) registers what must be dropped on exit (keys in memory).
     window.appPrefs keeps this device's own choices (look, own code) in localStorage. */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  var PREFS = 'prefs';
  var forgetters = [];
  var setups = [];
  var loaded = {};
  var gone = false;
  var idleTimer = null;
  var lastActive = Date.now();

  function attr(name) { return root.getAttribute('data-' + name); }

  /* Pages behind the code carry where quick exit goes; the start page does not. */
  function inner() { return Boolean(attr('out')); }

  function prefs() {
    try { return JSON.parse(localStorage.getItem(PREFS)) || {}; } catch (e) { return {}; }
  }

  function savePrefs(changes) {
    var current = prefs();
    Object.keys(changes).forEach(function (key) {
      if (changes[key] === null) { delete current[key]; } else { current[key] = changes[key]; }
    });
    try { localStorage.setItem(PREFS, JSON.stringify(current)); } catch (e) { /* private mode */ }
  }

  /* Hide everything in this very task and forget in-memory secrets. */
  function blank() {
    root.classList.add('blank');
    forgetters.forEach(function (forget) { try { forget(); } catch (e) { /* keep going */ } });
    forgetters = [];
    try { sessionStorage.clear(); } catch (e) { /* nothing to clear */ }
  }

  /* Quick exit. The request ends the visit on the server and its answer clears this site's
     cookies and cache. Navigation waits for that answer at most OUT_WAIT ms (the page is
     already blank); keepalive lets a slower answer still arrive after the page is gone. */
  var OUT_WAIT = 15;

  function out() {
    if (gone) { return; }
    gone = true;
    blank();
    var away = function () { location.replace(attr('to')); away = function () {}; };
    try {
      fetch(attr('out'), { credentials: 'same-origin', cache: 'no-store', keepalive: true, redirect: 'manual' })
        .then(function () { away(); }, function () { away(); });
    } catch (e) { /* leave all the same */ }
    setTimeout(function () { away(); }, OUT_WAIT);
  }

  /* The idle lock: lock the visit, then show the start page at its own address. */
  function rest() {
    if (gone) { return; }
    gone = true;
    blank();
    var start = attr('start') || '/';
    var home = function () { location.replace(start); };
    fetch(attr('rest'), { credentials: 'same-origin', cache: 'no-store' }).then(home, home);
  }

  window.appForget = function (forget) { forgetters.push(forget); };
  window.appPrefs = { get: prefs, save: savePrefs };
  window.appPage = function (setup) {
    setups.push(setup);
    try { setup(doc); } catch (e) { /* one page script must not stop the others */ }
  };

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function watchKeys() {
    var shifts = 0, shiftTimer = null, lastEscape = -Infinity;
    doc.addEventListener('keydown', function (event) {
      if (!inner()) { return; }
      if (event.key === 'Shift') {
        if (event.repeat) { return; }
        shifts += 1;
        clearTimeout(shiftTimer);
        shiftTimer = setTimeout(function () { shifts = 0; }, 5000);
        if (shifts >= 3) { out(); }
        return;
      }
      shifts = 0;
      if (event.key === 'Escape' && !typing(event.target)) {
        if (event.timeStamp - lastEscape < 1000) { out(); return; }
        lastEscape = event.timeStamp;
      }
    }, true);
  }

  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
  }

  /* Every page fetch says so: a redirect then comes back as 204 with X-Replace-Location. */
  function fetchPage(url, options) {
    options = options || {};
    options.credentials = 'same-origin';
    options.cache = 'no-store';
    options.headers = { 'X-Replace': '1' };
    return fetch(url, options).then(function (response) {
      var target = response.headers.get('X-Replace-Location');
      if (target) { return fetchPage(target); }
      return response.text();
    });
  }

  function open(url, options) {
    return fetchPage(url, options).then(show);
  }

  /* Swap the fetched page into this document: its <html> attributes, title, body and the
     scripts it names. The address and the history stay as they are. */
  function show(html) {
    if (gone) { return; }
    var next = new DOMParser().parseFromString(html, 'text/html');
    Array.prototype.slice.call(root.attributes).forEach(function (a) { root.removeAttribute(a.name); });
    Array.prototype.forEach.call(next.documentElement.attributes, function (a) {
      root.setAttribute(a.name, a.value);
    });
    doc.title = next.title;
    var color = next.querySelector('meta[name="theme-color"]');
    var ours = doc.querySelector('meta[name="theme-color"]');
    if (color && ours) { ours.setAttribute('content', color.getAttribute('content')); }
    doc.body.replaceWith(doc.adoptNode(next.body));
    window.scrollTo(0, 0);
    rememberScripts(doc);
    var pending = Array.prototype.filter.call(next.querySelectorAll('head script[src]'), function (s) {
      return !loaded[scriptKey(s.getAttribute('src'))];
    });
    pending.forEach(loadScript);
    setups.forEach(function (setup) { try { setup(doc); } catch (e) { /* see appPage */ } });
    focusHeading();
    restartIdle();
  }

  function scriptKey(src) { return new URL(src, location.href).pathname; }

  function rememberScripts(from) {
    Array.prototype.forEach.call(from.querySelectorAll('script[src]'), function (s) {
      loaded[scriptKey(s.getAttribute('src'))] = true;
    });
  }

  function loadScript(source) {
    var script = doc.createElement('script');
    script.src = source.getAttribute('src');
    script.async = false;
    loaded[scriptKey(script.src)] = true;
    doc.head.appendChild(script);
  }

  /* A screen reader hears the new page: focus its first heading (or what it marks first). */
  function focusHeading() {
    var target = doc.querySelector('[data-first]') || doc.querySelector('main h1');
    if (!target) { return; }
    if (!target.hasAttribute('tabindex')) { target.setAttribute('tabindex', '-1'); }
    target.focus();
  }

  function followLinks() {
    doc.addEventListener('click', function (event) {
      var link = event.target.closest && event.target.closest('a[href]');
      if (link && link.classList.contains('qx')) {
        event.preventDefault();
        out();
        return;
      }
      if (!link || event.defaultPrevented) { return; }
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
      var href = link.getAttribute('href');
      if (link.target || link.hasAttribute('download') || href.charAt(0) === '#' || !sameOrigin(link.href)) { return; }
      event.preventDefault();
      open(link.href).catch(function () { location.replace(link.href); });
    });
  }

  /* A form's address and method read from its attributes: a field named "action" or "method"
     would hide the properties of the same names. */
  function formTarget(form) {
    return new URL(form.getAttribute('action') || location.href, location.href).href;
  }

  function sendForms() {
    doc.addEventListener('submit', function (event) {
      var form = event.target;
      var target = formTarget(form);
      if (event.defaultPrevented || !sameOrigin(target)) { return; }
      event.preventDefault();
      var data = new FormData(form, event.submitter || null);
      var sent;
      if ((form.getAttribute('method') || 'get').toLowerCase() === 'get') {
        var url = new URL(target);
        url.search = new URLSearchParams(data).toString();
        sent = open(url.href);
      } else {
        sent = open(target, { method: 'POST', body: data });
      }
      sent.catch(function () { HTMLFormElement.prototype.submit.call(form); });
    });
  }

  function idleSeconds() { return parseInt(attr('idle'), 10) || 0; }

  function restartIdle() {
    clearTimeout(idleTimer);
    lastActive = Date.now();
    if (inner() && idleSeconds()) { idleTimer = setTimeout(rest, idleSeconds() * 1000); }
  }

  function watchIdle() {
    ['pointerdown', 'keydown', 'scroll', 'touchstart', 'input'].forEach(function (name) {
      doc.addEventListener(name, restartIdle, { passive: true, capture: true });
    });
    restartIdle();
  }

  /* Hidden (another app, another tab): blank at once. Back again: show the page only while
     the idle lock has not fallen in the meantime (timers sleep in hidden tabs). */
  function blankWhenHidden() {
    doc.addEventListener('visibilitychange', function () {
      if (!inner() || gone) { return; }
      if (doc.visibilityState === 'hidden') {
        root.classList.add('blank');
      } else if (idleSeconds() && Date.now() - lastActive > idleSeconds() * 1000) {
        rest();
      } else {
        root.classList.remove('blank');
      }
    });
    window.addEventListener('pagehide', function () {
      if (inner()) { root.classList.add('blank'); }
    });
    window.addEventListener('pageshow', function (event) {
      /* Restored from the back/forward cache: never show it again. */
      if (event.persisted && inner()) { gone = false; out(); }
    });
  }

  /* A page of the app opened at its own address keeps only the start page's in the tab. */
  function oneAddress() {
    var start = attr('start');
    if (inner() && start && location.pathname !== start) {
      history.replaceState(null, '', start);
    }
  }

  rememberScripts(doc);
  oneAddress();
  followLinks();
  sendForms();
  watchKeys();
  watchIdle();
  blankWhenHidden();
}());
