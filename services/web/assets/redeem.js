/* global PassCode -- from pass-code.js, loaded before this script */
/* The redemption form: codes formatted as typed, checked before sending, QR scanning where the browser can. */
(function () {
  'use strict';
  var MESSAGES = {
    format: 'Le code doit comporter 17 caractères, lettres et chiffres (exemple : K7QM-3XTA-9HWP-2DRC-X).',
    check: 'Ce code contient une faute de frappe : vérifiez chaque caractère.',
  };
  var form = document.getElementById('redeem-form');
  if (!form) return;
  var fields = function () {
    return Array.prototype.slice.call(form.querySelectorAll('input.pn-pass-code'));
  };

  function setError(input, message) {
    var group = document.getElementById(input.id + '-group');
    var error = document.getElementById(input.id + '-error');
    var hint = document.getElementById(input.id + '-hint');
    group.classList.toggle('fr-input-group--error', !!message);
    input.classList.toggle('fr-input--error', !!message);
    error.textContent = message || '';
    error.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', [hint ? hint.id : '', message ? error.id : ''].filter(Boolean).join(' '));
  }

  function reformat(input) {
    var before = input.value;
    var caret = input.selectionStart === null ? before.length : input.selectionStart;
    var symbolsBeforeCaret = PassCode.normalize(before.slice(0, caret)).length;
    var formatted = PassCode.format(before);
    if (formatted === before) return;
    input.value = formatted;
    var position = symbolsBeforeCaret + Math.floor(Math.max(symbolsBeforeCaret - 1, 0) / 4);
    if (
      symbolsBeforeCaret > 0 &&
      symbolsBeforeCaret % 4 === 0 &&
      symbolsBeforeCaret < PassCode.LENGTH &&
      caret === before.length
    )
      position += 1;
    position = Math.min(position, formatted.length);
    input.setSelectionRange(position, position);
  }

  form.addEventListener('input', function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains('pn-pass-code')) return;
    reformat(input);
    if (PassCode.normalize(input.value).length === PassCode.LENGTH) {
      var parsed = PassCode.parse(input.value);
      setError(input, parsed.valid ? '' : MESSAGES[parsed.reason]);
    } else if (input.getAttribute('aria-invalid')) {
      setError(input, '');
    }
  });

  form.addEventListener('submit', function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === 'action' && submitter.value === 'add') return;
    var firstInvalid = null;
    var typed = 0;
    fields().forEach(function (input) {
      if (!input.value.trim()) return setError(input, '');
      typed++;
      var parsed = PassCode.parse(input.value);
      setError(input, parsed.valid ? '' : MESSAGES[parsed.reason]);
      if (!parsed.valid && !firstInvalid) firstInvalid = input;
    });
    if (typed === 0) {
      firstInvalid = fields()[0];
      setError(firstInvalid, 'Saisissez le code du pass.');
    }
    if (firstInvalid) {
      event.preventDefault();
      firstInvalid.focus();
    }
  });

  // QR codes with the camera, where the browser offers BarcodeDetector (Chrome on Android, notably).
  var scan = document.getElementById('scan-button');
  var video = document.getElementById('scan-video');
  if (!scan || !video || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  scan.hidden = false;
  document.getElementById('scan-unavailable').hidden = true;
  scan.addEventListener('click', function () {
    var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(
      function (stream) {
        video.hidden = false;
        video.srcObject = stream;
        video.play();
        var stop = function () {
          stream.getTracks().forEach(function (t) {
            t.stop();
          });
          video.hidden = true;
        };
        var tick = function () {
          detector.detect(video).then(
            function (codes) {
              var found = codes
                .map(function (c) {
                  return c.rawValue;
                })
                .filter(function (v) {
                  return PassCode.parse(v).valid;
                })[0];
              if (!found) return setTimeout(tick, 250);
              stop();
              var empty =
                fields().filter(function (i) {
                  return !i.value.trim();
                })[0] || fields()[fields().length - 1];
              empty.value = PassCode.format(found);
              setError(empty, '');
              empty.focus();
            },
            function () {
              setTimeout(tick, 500);
            },
          );
        };
        tick();
      },
      function () {
        document.getElementById('scan-unavailable').hidden = false;
        document.getElementById('scan-unavailable').textContent = "La caméra n'est pas accessible : saisissez le code.";
      },
    );
  });
})();
