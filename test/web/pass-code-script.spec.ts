import { join } from 'node:path';
import { ALPHABET, CODE_LENGTH, formatPassCode, generatePassCode, parsePassCode } from '@app/pass-codes';

// The script the browser runs, loaded as it is served (it exports itself to CommonJS when there is a module).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const browser = require(join(__dirname, '..', '..', 'services', 'web', 'assets', 'pass-code.js')) as {
  parse(input: string): { valid: boolean; canonical?: string; reason?: string };
  format(input: string): string;
};

describe('the browser pass-code script', () => {
  it('agrees with libs/pass-codes on 10,000 codes and every single-symbol typo of each', () => {
    let compared = 0;
    let typosCaught = 0;
    const disagreements: string[] = [];
    const compare = (typed: string) => {
      compared++;
      const expected = parsePassCode(typed);
      const actual = browser.parse(typed);
      const same =
        actual.valid === expected.valid &&
        (expected.valid ? actual.canonical === expected.canonical : actual.reason === expected.reason);
      if (!same) disagreements.push(`${typed}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
      return actual;
    };
    for (let n = 0; n < 10_000; n++) {
      const printed = generatePassCode();
      const canonical = printed.replace(/-/g, '');
      expect(browser.format(canonical)).toBe(formatPassCode(canonical));
      compare(printed);
      compare(printed.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l'));
      for (let i = 0; i < CODE_LENGTH; i++) {
        for (const symbol of ALPHABET) {
          if (symbol === canonical[i]) continue;
          if (!compare(canonical.slice(0, i) + symbol + canonical.slice(i + 1)).valid) typosCaught++;
        }
        if (i + 1 < CODE_LENGTH && canonical[i] !== canonical[i + 1])
          compare(canonical.slice(0, i) + canonical[i + 1] + canonical[i] + canonical.slice(i + 2));
      }
      compare(canonical.slice(0, -1)); // a symbol missing
      compare(`${canonical.slice(0, 5)}U${canonical.slice(6)}`); // a symbol outside the alphabet
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(10_000 * CODE_LENGTH * 31);
    expect(typosCaught).toBe(10_000 * CODE_LENGTH * 31);
  });

  it('formats what is being typed in groups of four, at most 17 symbols', () => {
    expect(browser.format('k7qm3x')).toBe('K7QM-3X');
    expect(browser.format('K7QM-3XTA 9HWP2DRCXZZZ')).toBe('K7QM-3XTA-9HWP-2DRC-X');
    expect(browser.format('')).toBe('');
  });
});
