import { ALPHABET, CODE_LENGTH, formatPassCode, generatePassCode, hashPassCode, parsePassCode } from '@app/pass-codes';

const canonicalOf = (code: string) => code.replace(/-/g, '');

describe('pass codes', () => {
  it('are 17 Crockford symbols in groups of four, and parse back to themselves', () => {
    const code = generatePassCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]$/);
    expect(parsePassCode(code)).toEqual({ valid: true, canonical: canonicalOf(code) });
  });

  it('are read whatever the case, spacing, dashes, and O/0 I/L/1 confusions', () => {
    const canonical = canonicalOf(generatePassCode());
    const typed = canonical
      .toLowerCase()
      .replace(/0/g, 'o')
      .replace(/1/g, 'l')
      .match(/.{1,3}/g)!
      .join(' ');
    expect(parsePassCode(typed)).toEqual({ valid: true, canonical });
    expect(parsePassCode(` ${formatPassCode(canonical)} `)).toEqual({ valid: true, canonical });
  });

  it('refuses what is not a code as a format error', () => {
    expect(parsePassCode('')).toEqual({ valid: false, reason: 'format' });
    expect(parsePassCode('K7QM-3XTA')).toEqual({ valid: false, reason: 'format' });
    expect(parsePassCode('U'.repeat(CODE_LENGTH))).toEqual({ valid: false, reason: 'format' });
  });

  it('detect every single-symbol substitution and every adjacent transposition', () => {
    // The check is linear, so whether an error is caught does not depend on the code;
    // a few hundred codes still cover every position, symbol and pair many times over.
    let undetected = 0;
    let tried = 0;
    for (let n = 0; n < 300; n++) {
      const canonical = canonicalOf(generatePassCode());
      for (let i = 0; i < CODE_LENGTH; i++) {
        for (const symbol of ALPHABET) {
          if (symbol === canonical[i]) continue;
          tried++;
          if (parsePassCode(canonical.slice(0, i) + symbol + canonical.slice(i + 1)).valid) undetected++;
        }
        if (i + 1 < CODE_LENGTH && canonical[i] !== canonical[i + 1]) {
          tried++;
          if (parsePassCode(canonical.slice(0, i) + canonical[i + 1] + canonical[i] + canonical.slice(i + 2)).valid)
            undetected++;
        }
      }
    }
    expect(tried).toBeGreaterThan(300 * CODE_LENGTH * 31);
    expect(undetected).toBe(0);
  });

  it('never repeat over a million codes', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 1_000_000; n++) seen.add(generatePassCode());
    expect(seen.size).toBe(1_000_000);
  });

  it('hash to 64 hex characters, the same for every way of typing one code', () => {
    const code = generatePassCode();
    const typed = parsePassCode(code.toLowerCase());
    expect(typed.valid && hashPassCode(typed.canonical)).toBe(hashPassCode(canonicalOf(code)));
    expect(hashPassCode(canonicalOf(code))).toMatch(/^[0-9a-f]{64}$/);
  });
});
