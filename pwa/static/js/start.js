/* The start page's own behaviour: the look this device chose, this device's own code sent with
   the entry field, the calculator's keys, and the service worker that keeps the page offline. */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  var prefs = window.appPrefs;

  /* The page opens in the look this device chose. */
  function keepLook() {
    var chosen = prefs.get().t;
    var shown = root.getAttribute('data-theme');
    if (chosen && chosen !== shown && /^(recipes|calculator)$/.test(chosen) &&
        location.search.indexOf('t=') === -1) {
      location.replace('/?t=' + chosen);
    }
  }

  /* Before the shared submit handler reads the form: add this device's code token, if any. */
  function sendDeviceCode() {
    var form = doc.querySelector('form[data-unlock]');
    if (!form) { return; }
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

  function calculatorKeys() {
    var display = doc.querySelector('.calc .display');
    if (!display) { return; }
    doc.querySelectorAll('.calc [data-key]').forEach(function (button) {
      button.addEventListener('click', function () {
        var key = button.getAttribute('data-key');
        display.value = key === 'C' ? '' : display.value + key;
      });
    });
  }

  function registerWorker() {
    var url = root.getAttribute('data-sw');
    if (url && 'serviceWorker' in navigator) {
      navigator.serviceWorker.register(url, { scope: '/' }).catch(function () { /* offline is optional */ });
    }
  }

  keepLook();
  sendDeviceCode();
  calculatorKeys();
  registerWorker();
}());
