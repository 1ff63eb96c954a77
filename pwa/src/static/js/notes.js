/* The private notebook, loaded only on its page. Everything is encrypted here, in the page.

   What is served is built from this file with its comments removed; the strings below name
   nothing (the words shown to a person come from the page, translated).

   - Keys: from the passphrase, PBKDF2-SHA256 (parameters by version, given by the page) gives
     a master secret; HKDF-SHA256 turns it into a lookup id and an access secret (sent to the
     server, which keeps the id and an Argon2id hash of the secret) and a wrapping key. The
     records are sealed with a random notebook key, kept on the server wrapped (AES-GCM) by
     the wrapping key. The passphrase and the keys never leave this page.
   - Stronger settings: opening tries the current version, then older ones; a notebook opened
     with an older one is moved to the current one right away (its key wrapped anew and
     unwrapped again as a test before the server is told), so no one is ever locked out.
   - Records: each plan part, incident entry and photo is one record, sealed with a fresh
     12-byte IV and "scheme|id|kind|version" as associated data, so a record moved, renamed
     or replayed as another version does not open. Plan parts carry a version: a save based
     on an older one is refused by the server and both versions are shown. Entries and
     photos are written once; a correction is a new entry naming the old one.
   - Chain: the server chains every record's ciphertext hash to the previous one and signs
     the chain hash with the time it received it; the print view checks both here.
   - Nothing on the device: fields carry no name and sit in no form (no autofill, nothing a
     form could send), and the key is dropped on lock, after IDLE without use, on leaving
     this page, and by the safety core's quick exit (window.appForget). */
(function () {
  'use strict';
  var SCHEME = 1;
  var WORDS = 6;
  var MOST_PHOTOS = 5;
  var LONGEST_SIDE = 2048;
  var SAVE_AFTER = 1200;
  var GENESIS = new Array(65).join('0');
  var enc = new TextEncoder();
  var dec = new TextDecoder();
  var subtle = window.crypto.subtle;

  var box = null;       /* the page's container, replaced by each swap */
  var open = null;      /* the opened notebook: its key and records, in memory only */
  var madeWords = '';
  var idleTimer = null;
  var lastActive = Date.now();

  function q(selector, from) { return (from || box).querySelector(selector); }
  function qa(selector, from) { return Array.prototype.slice.call((from || box).querySelectorAll(selector)); }
  function text(key) { var found = q('[data-say="' + key + '"]'); return found ? found.textContent : ''; }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b < 16 ? '0' : '') + b.toString(16);
    }).join('');
  }
  function unhex(value) {
    var bytes = new Uint8Array(value.length / 2);
    for (var i = 0; i < bytes.length; i += 1) { bytes[i] = parseInt(value.substr(i * 2, 2), 16); }
    return bytes;
  }
  function b64(bytes) {
    var out = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(out);
  }
  function unb64(value) {
    var raw = atob(value);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function randomHex(size) { return hex(crypto.getRandomValues(new Uint8Array(size))); }

  /* The words of a passphrase, whatever the case, spacing or punctuation typed. */
  function phraseOf(typed) {
    return (typed.normalize('NFKC').toLowerCase().match(/[a-z]+/g) || []).join(' ');
  }

  function hkdf(info) {
    return { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode(info) };
  }

  function kdfTable() { return JSON.parse(box.getAttribute('data-kdf')); }

  /* The versions to try, the current one first. */
  function kdfVersions() {
    var table = kdfTable();
    return Object.keys(table.versions).map(Number).filter(function (v) { return v <= table.current; })
      .sort(function (a, b) { return b - a; });
  }

  function derive(phrase, version) {
    var params = kdfTable().versions[version];
    return subtle.importKey('raw', enc.encode(phraseOf(phrase)), 'PBKDF2', false, ['deriveBits'])
      .then(function (base) {
        return subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode(params.salt),
          iterations: params.iterations }, base, 256);
      })
      .then(function (bits) { return subtle.importKey('raw', bits, 'HKDF', false, ['deriveBits', 'deriveKey']); })
      .then(function (master) {
        return Promise.all([
          subtle.deriveBits(hkdf('lookup'), master, 256),
          subtle.deriveBits(hkdf('access'), master, 256),
          subtle.deriveKey(hkdf('key'), master, { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey'])
        ]);
      })
      .then(function (parts) { return { lookup: hex(parts[0]), access: hex(parts[1]), wrapping: parts[2], kdf: version }; });
  }

  function wrapAad(version) { return enc.encode('wrap|' + version); }

  function wrap(secrets, key) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return subtle.wrapKey('raw', key, secrets.wrapping, { name: 'AES-GCM', iv: iv, additionalData: wrapAad(secrets.kdf) })
      .then(function (sealed) {
        var whole = new Uint8Array(12 + sealed.byteLength);
        whole.set(iv, 0);
        whole.set(new Uint8Array(sealed), 12);
        return b64(whole);
      });
  }

  function unwrap(secrets, wrapped) {
    var whole = unb64(wrapped);
    return subtle.unwrapKey('raw', whole.subarray(12), secrets.wrapping,
      { name: 'AES-GCM', iv: whole.subarray(0, 12), additionalData: wrapAad(secrets.kdf) },
      { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);
  }

  function aad(id, kind, version) { return enc.encode(SCHEME + '|' + id + '|' + kind + '|' + version); }

  function seal(key, id, kind, version, value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return subtle.encrypt({ name: 'AES-GCM', iv: iv, additionalData: aad(id, kind, version) }, key,
      enc.encode(JSON.stringify(value)))
      .then(function (sealed) {
        var whole = new Uint8Array(12 + sealed.byteLength);
        whole.set(iv, 0);
        whole.set(new Uint8Array(sealed), 12);
        return b64(whole);
      });
  }

  function unseal(key, row) {
    var whole = unb64(row.data);
    return subtle.decrypt({ name: 'AES-GCM', iv: whole.subarray(0, 12),
      additionalData: aad(row.id, row.kind, row.version) }, key, whole.subarray(12))
      .then(function (plain) { return JSON.parse(dec.decode(plain)); });
  }

  function api(path, body) {
    return fetch(path, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': box.getAttribute('data-csrf') },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: {} }; });
    }, function () { return { status: 0, data: {} }; });
  }

  function problemOf(answer) {
    if (answer.status === 0) { return 'offline'; }
    var problem = answer.data && answer.data.problem;
    return problem && q('[data-say="' + problem + '"]') ? problem : 'failed';
  }

  /* ---- views ---- */

  function view(name) {
    qa('[data-view]').forEach(function (section) { section.hidden = section.getAttribute('data-view') !== name; });
    qa('[data-msg]').forEach(function (line) { line.textContent = ''; });
  }

  function say(key) {
    var shown = qa('[data-view]').filter(function (s) { return !s.hidden; })[0];
    var line = shown && q('[data-msg]', shown);
    if (line) { line.textContent = key ? text(key) : ''; }
  }

  function focus(element) {
    if (!element) { return; }
    if (!element.hasAttribute('tabindex')) { element.setAttribute('tabindex', '-1'); }
    element.focus();
  }

  /* ---- opening, creating, locking ---- */

  function load(key, data) {
    var state = { key: key, kdf: data.kdf, chain: data.records, records: {}, saving: {}, again: {} };
    return Promise.all(data.records.filter(function (row) { return row.data; }).map(function (row) {
      return unseal(key, row).then(function (value) {
        state.records[row.id] = { kind: row.kind, version: row.version, seq: row.seq, at: row.at, value: value };
      }, function () {
        state.records[row.id] = { kind: row.kind, version: row.version, seq: row.seq, at: row.at, bad: true };
      });
    })).then(function () {
      open = state;
      window.appForget(drop);
      restartIdle();
    });
  }

  /* Each version in turn, the current one first, until one opens a notebook. */
  function tryVersions(phrase, versions) {
    return derive(phrase, versions[0]).then(function (secrets) {
      return api('/notes/open', { lookup: secrets.lookup, access: secrets.access }).then(function (answer) {
        if (answer.status === 404 && versions.length > 1) { return tryVersions(phrase, versions.slice(1)); }
        return { secrets: secrets, answer: answer };
      });
    });
  }

  function doOpen() {
    var field = q('#nb-phrase');
    var phrase = field.value;
    field.value = '';
    if (!phraseOf(phrase)) { say('unknown'); return; }
    say('opening');
    tryVersions(phrase, kdfVersions()).then(function (found) {
      var answer = found.answer;
      if (answer.status !== 200) { say(answer.status === 404 ? 'unknown' : problemOf(answer)); return null; }
      return unwrap(found.secrets, answer.data.wrapped).then(function (key) {
        return load(key, answer.data).then(function () {
          showOpened();
          if (found.secrets.kdf < kdfTable().current) { return strengthen(phrase, key); }
          return null;
        });
      });
    }).catch(function () { say('failed'); });
  }

  /* Move the notebook to the current derivation; on any failure the old keys still open it. */
  function strengthen(phrase, key) {
    var state = open;
    return derive(phrase, kdfTable().current).then(function (secrets) {
      return wrap(secrets, key).then(function (wrapped) {
        return unwrap(secrets, wrapped).then(function () {
          if (open !== state) { return null; }
          return api('/notes/rekey', { lookup: secrets.lookup, access: secrets.access, kdf: secrets.kdf, wrapped: wrapped });
        });
      });
    }).catch(function () { return null; });
  }

  function pickWords(list) {
    var chosen = [];
    var limit = Math.floor(4294967296 / list.length) * list.length;
    while (chosen.length < WORDS) {
      var draw = crypto.getRandomValues(new Uint32Array(1))[0];
      if (draw < limit) { chosen.push(list[draw % list.length]); }
    }
    return chosen.join(' ');
  }

  function doCreate() {
    say('opening');
    fetch(box.getAttribute('data-words'), { credentials: 'same-origin' })
      .then(function (response) { return response.text(); })
      .then(function (body) {
        var list = body.split('\n').map(function (w) { return w.trim(); }).filter(Boolean);
        var phrase = pickWords(list);
        var made = {};
        return derive(phrase, kdfTable().current).then(function (secrets) {
          made.secrets = secrets;
          return subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
        }).then(function (key) {
          made.key = key;
          return wrap(made.secrets, key);
        }).then(function (wrapped) {
          var secrets = made.secrets;
          return api('/notes/new', { lookup: secrets.lookup, access: secrets.access, kdf: secrets.kdf, wrapped: wrapped })
            .then(function (answer) {
              if (answer.status !== 201) { say(problemOf(answer)); return null; }
              return load(made.key, answer.data).then(function () {
                madeWords = phrase;
                view('made');
                q('[data-words-shown]').textContent = madeWords;
                focus(q('#nb-made-h'));
              });
            });
        });
      }).catch(function () { say('failed'); });
  }

  function begin() {
    if (!q('#nb-noted').checked) { say('noted'); return; }
    madeWords = '';
    q('[data-words-shown]').textContent = '';
    q('#nb-noted').checked = false;
    showOpened();
  }

  /* Forget the key and everything shown; the fields are emptied so nothing lingers. */
  function drop() {
    open = null;
    madeWords = '';
    clearTimeout(idleTimer);
    if (!box || !box.isConnected) { return; }
    qa('textarea, input').forEach(function (field) {
      if (field.type === 'checkbox') { field.checked = false; } else { field.value = ''; }
    });
    qa('[data-log], [data-print-log]').forEach(function (list) { list.textContent = ''; });
    qa('[data-words-shown], [data-state], [data-added]').forEach(function (line) { line.textContent = ''; });
    qa('[data-conflict], [data-panel]').forEach(function (panel) { panel.hidden = true; });
    var corrects = q('[data-corrects]');
    while (corrects && corrects.options.length > 1) { corrects.remove(1); }
  }

  function lockUp(message) {
    var was = open;
    drop();
    if (!box || !box.isConnected) { return; }
    view('locked');
    if (message) { say(message); }
    if (was) { api('/notes/close'); }
    focus(q('#nb-locked-h'));
  }

  function idleSeconds() { return parseInt(box && box.getAttribute('data-idle'), 10) || 300; }

  function restartIdle() {
    clearTimeout(idleTimer);
    lastActive = Date.now();
    if (open) { idleTimer = setTimeout(function () { lockUp(); }, idleSeconds() * 1000); }
  }

  /* ---- the plan ---- */

  function planId(key) { return 'plan-' + key; }

  function planValue(part) {
    return {
      text: q('[data-text]', part).value,
      checks: qa('[data-check]', part).filter(function (c) { return c.checked; }).map(function (c) { return c.value; })
    };
  }

  function fillPlan(part, value) {
    q('[data-text]', part).value = value ? value.text || '' : '';
    var checks = (value && value.checks) || [];
    qa('[data-check]', part).forEach(function (c) { c.checked = checks.indexOf(c.value) >= 0; });
  }

  function schedulePlan(part) {
    var key = part.getAttribute('data-section');
    clearTimeout(part.saveTimer);
    part.saveTimer = setTimeout(function () { savePlan(part, key); }, SAVE_AFTER);
  }

  function savePlan(part, key) {
    if (!open || !part.isConnected) { return; }
    var state = open;
    var id = planId(key);
    if (state.saving[id]) { state.again[id] = true; return; }
    if (!q('[data-conflict]', part).hidden) { return; }
    var value = planValue(part);
    var stored = state.records[id];
    if (stored && JSON.stringify(stored.value) === JSON.stringify(value)) { return; }
    var version = (stored ? stored.version : 0) + 1;
    var line = q('[data-state]', part);
    state.saving[id] = true;
    line.textContent = text('saving');
    seal(state.key, id, 'plan', version, value).then(function (data) {
      return api('/notes/save', { id: id, kind: 'plan', version: version, scheme: SCHEME, data: data });
    }).then(function (answer) {
      state.saving[id] = false;
      if (open !== state) { return; }
      if (answer.status === 201) {
        state.records[id] = { kind: 'plan', version: version, seq: answer.data.seq, at: answer.data.at, value: value };
        state.chain.push(answer.data);
        line.textContent = text('saved');
      } else if (answer.status === 409 && answer.data.problem === 'stale') {
        return showConflict(part, state, answer.data.latest);
      } else if (answer.status === 403) {
        lockUp('closed');
        return null;
      } else {
        line.textContent = text(problemOf(answer));
      }
      if (state.again[id]) { state.again[id] = false; savePlan(part, key); }
      return null;
    });
  }

  function showConflict(part, state, latest) {
    return unseal(state.key, latest).then(function (theirs) {
      var panel = q('[data-conflict]', part);
      q('[data-other]', panel).value = theirs.text || '';
      panel.hidden = false;
      part.open = true;
      q('[data-state]', part).textContent = '';
      state.records[latest.id] = { kind: 'plan', version: latest.version, seq: latest.seq, at: latest.at, value: theirs };
      state.again[latest.id] = false;
    }, function () { q('[data-state]', part).textContent = text('tampered'); });
  }

  function keepMine(part) {
    var panel = q('[data-conflict]', part);
    panel.hidden = true;
    q('[data-other]', panel).value = '';
    savePlan(part, part.getAttribute('data-section'));
  }

  /* ---- the incident log ---- */

  function reencode(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { if (blob) { resolve(blob); } else { reject(new Error('encode')); } }, 'image/jpeg', 0.88);
      });
    }).then(function (blob) { return blob.arrayBuffer(); }).then(function (buffer) { return new Uint8Array(buffer); });
  }

  function store(state, id, kind, value) {
    return seal(state.key, id, kind, 1, value).then(function (data) {
      return api('/notes/save', { id: id, kind: kind, version: 1, scheme: SCHEME, data: data });
    }).then(function (answer) {
      if (answer.status !== 201) { throw answer; }
      state.records[id] = { kind: kind, version: 1, seq: answer.data.seq, at: answer.data.at, value: value };
      state.chain.push(answer.data);
    });
  }

  function addEntry() {
    if (!open) { return; }
    var state = open;
    var form = q('[data-entry]');
    var value = {};
    qa('[data-field]', form).forEach(function (field) { value[field.getAttribute('data-field')] = field.value; });
    var line = q('[data-added]', form);
    if (!(value.what || '').trim()) { line.textContent = text('empty'); return; }
    var files = Array.prototype.slice.call(q('[data-photos]', form).files || []);
    if (files.length > MOST_PHOTOS) { line.textContent = text('photos'); return; }
    value.corrects = q('[data-corrects]', form).value || null;
    var id = 'e-' + randomHex(8);
    value.photos = [];
    line.textContent = text('saving');
    Promise.all(files.map(function (file) {
      return reencode(file).catch(function () { throw { status: -1 }; });
    })).then(function (photos) {
      return photos.reduce(function (chain, bytes) {
        return chain.then(function () {
          var photoId = 'p-' + randomHex(8);
          value.photos.push(photoId);
          return store(state, photoId, 'photo', { entry: id, jpeg: b64(bytes) });
        });
      }, Promise.resolve());
    }).then(function () { return store(state, id, 'entry', value); }).then(function () {
      if (open !== state) { return; }
      qa('[data-field], [data-photos]', form).forEach(function (field) { field.value = ''; });
      q('[data-corrects]', form).value = '';
      line.textContent = text('added');
      renderLog();
    }, function (answer) {
      if (answer && answer.status === 403) { lockUp('closed'); return; }
      line.textContent = text(answer && answer.status === -1 ? 'photo' : problemOf(answer || { status: 500 }));
    });
  }

  function entries(state) {
    return Object.keys(state.records).filter(function (id) { return state.records[id].kind === 'entry'; })
      .map(function (id) { return { id: id, record: state.records[id] }; });
  }

  function moment(entry) {
    var when = entry.record.value && entry.record.value.when;
    var time = when ? new Date(when).getTime() : NaN;
    return isNaN(time) ? new Date(entry.record.at).getTime() : time;
  }

  function formatted(value) {
    var date = new Date(value);
    if (isNaN(date.getTime())) { return value; }
    try {
      return new Intl.DateTimeFormat(box.getAttribute('data-lang') || undefined,
        { dateStyle: 'long', timeStyle: 'short' }).format(date);
    } catch (e) { return date.toISOString(); }
  }

  function element(name, content, className) {
    var made = document.createElement(name);
    if (content) { made.textContent = content; }
    if (className) { made.className = className; }
    return made;
  }

  function entryItem(state, entry, correctedBy, holds) {
    var item = element('li');
    var record = entry.record;
    if (record.bad) {
      item.appendChild(element('p', text('tampered'), 'error'));
    } else {
      var value = record.value;
      item.appendChild(element('h3', formatted(value.when || record.at)));
      var list = element('dl');
      qa('[data-field]', q('[data-entry]')).forEach(function (field) {
        var key = field.getAttribute('data-field');
        if (key === 'when' || !(value[key] || '').trim()) { return; }
        list.appendChild(element('dt', text('f-' + key)));
        list.appendChild(element('dd', value[key]));
      });
      item.appendChild(list);
      if (value.corrects) { item.appendChild(element('p', text('corrects'), 'meta')); }
      (value.photos || []).forEach(function (photoId) { item.appendChild(photoCanvas(state.records[photoId])); });
    }
    if (correctedBy[entry.id]) { item.appendChild(element('p', text('corrected'), 'meta')); }
    item.appendChild(element('p', text('received') + ' ' + formatted(record.at), 'meta'));
    if (holds) { item.appendChild(element('p', text(holds[entry.id] ? 'holds' : 'broken'), holds[entry.id] ? 'meta' : 'error')); }
    item.setAttribute('data-entry-id', entry.id);
    return item;
  }

  function photoCanvas(photo) {
    if (!photo || photo.bad) { return element('p', text('tampered'), 'error'); }
    var canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', text('photo-label'));
    canvas.className = 'photo';
    createImageBitmap(new Blob([unb64(photo.value.jpeg)], { type: 'image/jpeg' })).then(function (bitmap) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      bitmap.close();
      canvas.setAttribute('data-drawn', '');
    }, function () { canvas.replaceWith(element('p', text('tampered'), 'error')); });
    return canvas;
  }

  function correctedBy(list) {
    var found = {};
    list.forEach(function (entry) {
      var value = entry.record.value;
      if (value && value.corrects) { found[value.corrects] = entry.id; }
    });
    return found;
  }

  function renderLog() {
    var state = open;
    var log = q('[data-log]');
    var list = entries(state).sort(function (a, b) { return moment(b) - moment(a); });
    var corrected = correctedBy(list);
    log.textContent = '';
    if (!list.length) { log.appendChild(element('li', text('none'), 'meta')); }
    list.forEach(function (entry) { log.appendChild(entryItem(state, entry, corrected, null)); });
    var select = q('[data-corrects]');
    while (select.options.length > 1) { select.remove(1); }
    list.filter(function (entry) { return !entry.record.bad; }).forEach(function (entry) {
      var value = entry.record.value;
      select.appendChild(new Option(formatted(value.when || entry.record.at) + ': ' + (value.what || '').slice(0, 40), entry.id));
    });
  }

  function showOpened() {
    view('open');
    qa('details[data-section]').forEach(function (part) {
      var stored = open.records[planId(part.getAttribute('data-section'))];
      fillPlan(part, stored && !stored.bad ? stored.value : null);
      q('[data-state]', part).textContent = stored && stored.bad ? text('tampered') : '';
    });
    renderLog();
    focus(q('#nb-plan-h'));
  }

  /* ---- the print view and its chain check ---- */

  function sha256(bytes) { return subtle.digest('SHA-256', bytes).then(hex); }

  function receiptKey() {
    try {
      return subtle.importKey('raw', unb64(box.getAttribute('data-key')), { name: 'Ed25519' }, false, ['verify'])
        .catch(function () { return null; });
    } catch (e) { return Promise.resolve(null); }
  }

  /* Which records the chain vouches for: each link recomputed from the one before, each
     ciphertext we hold hashed again, each receipt's signature checked. A break condemns the
     record where it happens and every later one. */
  function checkChain(state) {
    return receiptKey().then(function (key) {
      var holds = {};
      var previous = GENESIS;
      var intact = true;
      return state.chain.reduce(function (done, row) {
        return done.then(function () {
          var own = row.data ? sha256(unb64(row.data)) : Promise.resolve(row.hash);
          return own.then(function (digest) {
            var joined = new Uint8Array(64);
            joined.set(unhex(previous), 0);
            joined.set(unhex(digest), 32);
            return sha256(joined).then(function (link) {
              var signed = key ? subtle.verify('Ed25519', key, unb64(row.receipt), enc.encode(row.chain + '|' + row.at))
                .catch(function () { return false; }) : Promise.resolve(true);
              return signed.then(function (good) {
                intact = intact && digest === row.hash && link === row.chain && good;
                previous = row.chain;
                holds[row.id] = intact;
              });
            });
          });
        });
      }, Promise.resolve()).then(function () { return holds; });
    });
  }

  function showPrint() {
    var state = open;
    checkChain(state).then(function (holds) {
      if (open !== state) { return; }
      Object.keys(state.records).forEach(function (id) { if (state.records[id].bad) { holds[id] = false; } });
      var log = q('[data-print-log]');
      var list = entries(state).sort(function (a, b) { return moment(a) - moment(b); });
      var corrected = correctedBy(list);
      log.textContent = '';
      if (!list.length) { log.appendChild(element('li', text('none'), 'meta')); }
      list.forEach(function (entry) { log.appendChild(entryItem(state, entry, corrected, holds)); });
      q('[data-print-key]').textContent = box.getAttribute('data-key');
      view('print');
      focus(q('#nb-print-h'));
    });
  }

  function wipe() {
    if (!q('#nb-sure').checked) { say('sure'); return; }
    api('/notes/wipe', { sure: true }).then(function (answer) {
      if (answer.status !== 200) { say(problemOf(answer)); return; }
      open = null;
      lockUp('wiped');
    });
  }

  /* ---- wiring ---- */

  var ACTIONS = {
    open: doOpen,
    create: doCreate,
    begin: begin,
    lock: function () { lockUp(); },
    add: addEntry,
    'print-ask': function () { q('[data-panel="print"]').hidden = false; },
    'print-cancel': function () { q('[data-panel="print"]').hidden = true; },
    print: function () { q('[data-panel="print"]').hidden = true; showPrint(); },
    'print-now': function () { window.print(); },
    'print-close': function () { showOpened(); },
    'wipe-ask': function () { q('[data-panel="wipe"]').hidden = false; },
    'wipe-cancel': function () { q('[data-panel="wipe"]').hidden = true; q('#nb-sure').checked = false; },
    wipe: wipe
  };

  function wire() {
    box.addEventListener('click', function (event) {
      var button = event.target.closest('[data-do]');
      if (!button) { return; }
      if (button.getAttribute('data-do') === 'keep') { keepMine(button.closest('details')); return; }
      var action = ACTIONS[button.getAttribute('data-do')];
      if (action) { action(); }
    });
    box.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && event.target.id === 'nb-phrase') { event.preventDefault(); doOpen(); }
    });
    ['input', 'change'].forEach(function (name) {
      box.addEventListener(name, function (event) {
        var part = event.target.closest('details[data-section]');
        if (part && open && !event.target.hasAttribute('data-other')) { schedulePlan(part); }
      });
    });
  }

  ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart'].forEach(function (name) {
    document.addEventListener(name, function () { if (open) { restartIdle(); } }, { passive: true, capture: true });
  });
  document.addEventListener('visibilitychange', function () {
    if (open && document.visibilityState === 'visible' && Date.now() - lastActive > idleSeconds() * 1000) { lockUp(); }
  });

  window.appPage(function (doc) {
    var found = doc.getElementById('nb');
    if (found === box) { return; }
    if (open) { drop(); }
    box = found;
    if (!box) { return; }
    box.hidden = false;
    wire();
    view('locked');
  });
}());
