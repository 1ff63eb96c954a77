/* The safety core, on every page: quick exit, cloak, history hygiene and the idle lock, plus the
   device preferences other page scripts share (window.appPrefs). No dependencies. */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  var exitUrl = root.getAttribute('data-exit');
  var lockUrl = root.getAttribute('data-lock');
  var PREFS = 'prefs';
  var forgetters = [];
  var gone = false;
  var idleTimer = null;

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

  /* Hide everything in this very task, forget in-memory secrets, then go. */
  function cloak() {
    root.classList.add('cloak');
    forgetters.forEach(function (forget) { try { forget(); } catch (e) { /* keep leaving */ } });
    forgetters = [];
    try { sessionStorage.clear(); } catch (e) { /* nothing to clear */ }
  }

  function leave(target) {
    if (gone) { return; }
    gone = true;
    cloak();
    location.replace(target || exitUrl);
  }

  /* Other scripts (the notebook) register what must be dropped on exit. */
  window.appForget = function (forget) { forgetters.push(forget); };
  window.appPrefs = { get: prefs, save: savePrefs };

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function watchExitKeys() {
    var shifts = 0, shiftTimer = null, lastEscape = -Infinity;
    doc.addEventListener('keydown', function (event) {
      if (event.key === 'Shift') {
        if (event.repeat) { return; }
        shifts += 1;
        clearTimeout(shiftTimer);
        shiftTimer = setTimeout(function () { shifts = 0; }, 5000);
        if (shifts >= 3) { leave(); }
        return;
      }
      shifts = 0;
      if (event.key === 'Escape' && !typing(event.target)) {
        if (event.timeStamp - lastEscape < 1000) { leave(); return; }
        lastEscape = event.timeStamp;
      }
    }, true);
  }

  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
  }

  /* In-app links replace this tab's history entry instead of adding one. */
  function replaceLinks() {
    doc.addEventListener('click', function (event) {
      var link = event.target.closest && event.target.closest('a[href]');
      if (link && link.matches('[data-testid="quick-exit"]')) {
        event.preventDefault();
        leave(link.href);
        return;
      }
      if (!link || event.defaultPrevented) { return; }
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
      var href = link.getAttribute('href');
      if (link.target || link.hasAttribute('download') || href.charAt(0) === '#' || !sameOrigin(link.href)) { return; }
      event.preventDefault();
      location.replace(link.href);
    });
  }

  /* Form submissions too: GET forms become a replaced URL, POST forms go through fetch. */
  function replaceForms() {
    doc.addEventListener('submit', function (event) {
      var form = event.target;
      if (event.defaultPrevented || !sameOrigin(form.action)) { return; }
      event.preventDefault();
      var data = new FormData(form, event.submitter || null);
      if ((form.method || 'get').toLowerCase() === 'get') {
        var url = new URL(form.action);
        url.search = new URLSearchParams(data).toString();
        location.replace(url.href);
        return;
      }
      fetch(form.action, {
        method: 'POST', body: data, credentials: 'same-origin', headers: { 'X-Replace': '1' }
      })
        .then(function (response) {
          var target = response.headers.get('X-Replace-Location');
          if (target) { location.replace(target); return null; }
          return response.text();
        })
        .then(function (html) {
          if (html === null) { return; }
          /* The new document runs this script afresh; this copy's timer must not outlive it. */
          clearTimeout(idleTimer);
          doc.open();
          doc.write(html);
          doc.close();
        })
        .catch(function () { form.submit(); });
    });
  }

  /* Idle for LOCK_AFTER_MINUTES: lock back to the decoy. */
  function idleLock() {
    var seconds = parseInt(root.getAttribute('data-idle'), 10);
    if (!lockUrl || !seconds) { return; }
    function restart() {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(function () { leave(lockUrl); }, seconds * 1000);
    }
    ['pointerdown', 'keydown', 'scroll', 'touchstart', 'input'].forEach(function (name) {
      doc.addEventListener(name, restart, { passive: true, capture: true });
    });
    restart();
  }

  window.addEventListener('pageshow', function (event) {
    /* Restored from the back/forward cache after leaving: never show it again. */
    if (event.persisted && exitUrl) { gone = false; leave(); }
  });

  replaceLinks();
  replaceForms();
  if (exitUrl) {
    watchExitKeys();
    idleLock();
  }
}());
