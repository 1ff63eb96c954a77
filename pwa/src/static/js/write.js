/* The long form (data-work): as soon as it is shown, look in the background for a nonce such
   that SHA-256(ticket ":" nonce) starts with data-work zero bits, and put it in its hidden
   "proof" field. Only the form's own ticket (made by the server) enters the hash, never a word
   typed into the form. A send pressed before the nonce is found waits for it (the form and
   everything in it stay as they are), at most WAIT_MS, then goes without it: the server then
   counts it under a stricter limit, which is also what happens without JavaScript. */
window.appPage(function (doc) {
  'use strict';
  var BATCH = 256; /* digests asked for at once: WebCrypto answers each one asynchronously */
  var WAIT_MS = 20000;
  var form = doc.querySelector('form[data-work]');
  if (!form || form.hasAttribute('data-ready')) { return; }
  form.setAttribute('data-ready', '');
  var field = form.elements.namedItem('proof');
  var ticket = form.elements.namedItem('ticket');
  var bits = parseInt(form.getAttribute('data-work'), 10);
  var subtle = window.crypto && window.crypto.subtle;
  if (!field || !ticket || !ticket.value || !(bits > 0) || !subtle) { return; }

  function zeros(bytes) {
    var count = 0;
    for (var i = 0; i < bytes.length; i += 1) {
      if (bytes[i] === 0) { count += 8; continue; }
      var b = bytes[i];
      while (!(b & 0x80)) { count += 1; b <<= 1; }
      break;
    }
    return count;
  }

  function solve(prefix) {
    var encoder = new TextEncoder();
    var next = 0;
    function round() {
      if (!form.isConnected) { return Promise.reject(new Error('gone')); }
      var nonces = [];
      for (var i = 0; i < BATCH; i += 1) { nonces.push(next.toString(36)); next += 1; }
      return Promise.all(nonces.map(function (nonce) {
        return subtle.digest('SHA-256', encoder.encode(prefix + nonce));
      })).then(function (digests) {
        for (var j = 0; j < digests.length; j += 1) {
          if (zeros(new Uint8Array(digests[j])) >= bits) { return nonces[j]; }
        }
        return round();
      });
    }
    return round();
  }

  var ready = Boolean(field.value);
  var found = ready ? Promise.resolve() : solve(ticket.value + ':').then(function (nonce) {
    field.value = nonce;
  });
  found = found.then(function () { ready = true; }, function () { ready = true; });

  var waiting = false;
  form.addEventListener('submit', function (event) {
    if (ready) { return; } /* the page's own sending takes it from here */
    event.preventDefault();
    if (waiting) { return; }
    waiting = true;
    var submitter = event.submitter || null;
    var note = form.querySelector('[data-waiting]');
    if (note) { note.textContent = note.getAttribute('data-waiting'); }
    var late = new Promise(function (resolve) { setTimeout(resolve, WAIT_MS); });
    Promise.race([found, late]).then(function () {
      ready = true;
      if (note) { note.textContent = ''; }
      if (!form.isConnected) { return; }
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
    });
  });
});
