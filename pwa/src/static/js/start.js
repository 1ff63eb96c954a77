/* The start page's own behaviour: the look this device chose, this device's own code sent
   with the entry field, the calculator's keys, and the service worker that keeps the start
   page usable offline. */
(function () {
  'use strict';
  var prefs = window.appPrefs;

  /* The page opens in the look this device chose: tell the server (a POST with the page's
     CSRF token), then show the start page again at its own address. */
  function keepLook() {
    var chosen = prefs.get().t;
    var shown = document.documentElement.getAttribute('data-theme');
    var token = document.querySelector('form[data-entry] input[name="csrf_token"]');
    if (chosen && token && chosen !== shown && /^(recipes|calculator)$/.test(chosen)) {
      var data = new FormData();
      data.append('csrf_token', token.value);
      data.append('t', chosen);
      fetch('/', { method: 'POST', body: data, credentials: 'same-origin', cache: 'no-store' })
        .then(function (response) { if (response.ok) { location.replace('/'); } })
        .catch(function () { /* keep the look shown */ });
    }
  }

  /* Before the shared submit handler reads the form: add this device's code token, if any. */
  function sendDeviceCode(doc) {
    var form = doc.querySelector('form[data-entry]');
    if (!form || form.hasAttribute('data-ready')) { return; }
    form.setAttribute('data-ready', '');
    form.addEventListener('submit', function () {
      var token = prefs.get().k;
      var field = form.querySelector('input[name="k"]');
      if (!token) { if (field) { field.remove(); } return; }
      if (!field) {
        field = doc.createElement('input');
        field.type = 'hidden';
        field.name = 'k';
        form.appendChild(field);
      }
      field.value = token;
    });
  }

  function calculatorKeys(doc) {
    var display = doc.querySelector('.calc .display');
    if (!display || display.hasAttribute('data-ready')) { return; }
    display.setAttribute('data-ready', '');
    doc.querySelectorAll('.calc [data-key]').forEach(function (button) {
      button.addEventListener('click', function () {
        var key = button.getAttribute('data-key');
        display.value = key === 'C' ? '' : display.value + key;
      });
    });
  }

  function registerWorker() {
    var url = document.documentElement.getAttribute('data-sw');
    if (url && 'serviceWorker' in navigator) {
      navigator.serviceWorker.register(url, { scope: '/' }).catch(function () { /* offline is optional */ });
    }
  }

  keepLook();
  registerWorker();
  window.appPage(sendDeviceCode);
  window.appPage(calculatorKeys);
}());
