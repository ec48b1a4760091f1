/*
 * Pass codes in the browser: the same reading and GF(32) check symbol as
 * libs/pass-codes (17 Crockford base32 symbols whose weighted sum
 * Σ symbolᵢ·αⁱ is 0, α a root of x^5 + x^2 + 1), so a typo is caught before
 * anything is sent. test/web/pass-code-script.spec.ts proves both agree.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.PassCode = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';
  var ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  var LENGTH = 17;
  var exp = [];
  var log = [];
  for (var i = 0, x = 1; i < 31; i++) {
    exp[i] = x;
    log[x] = i;
    x <<= 1;
    if (x & 32) x ^= 37; // x^5 + x^2 + 1
  }
  function multiply(a, b) {
    return a === 0 || b === 0 ? 0 : exp[(log[a] + log[b]) % 31];
  }

  /** What a person typed, as symbols: case, spaces and dashes ignored, O read as 0, I and L as 1. */
  function normalize(input) {
    return String(input).toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  }

  /** { valid: true, canonical } or { valid: false, reason: 'format' | 'check' }, as parsePassCode. */
  function parse(input) {
    var canonical = normalize(input);
    if (canonical.length !== LENGTH) return { valid: false, reason: 'format' };
    var sum = 0;
    for (var j = 0; j < LENGTH; j++) {
      var value = ALPHABET.indexOf(canonical.charAt(j));
      if (value < 0) return { valid: false, reason: 'format' };
      sum ^= multiply(value, exp[j % 31]);
    }
    return sum === 0 ? { valid: true, canonical: canonical } : { valid: false, reason: 'check' };
  }

  /** As typed, in groups of four (K7QM-3XTA-9HWP-2DRC-X); symbols outside the alphabet are kept so the error shows. */
  function format(input) {
    var symbols = normalize(input).slice(0, LENGTH);
    return (symbols.match(/.{1,4}/g) || []).join('-');
  }

  return { ALPHABET: ALPHABET, LENGTH: LENGTH, normalize: normalize, parse: parse, format: format };
});
