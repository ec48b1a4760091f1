import { findHostileInput, MAX_INPUT_DEPTH } from './hostile-input';

const nested = (levels: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { child: value };
  return value;
};

describe('input no validator should see', () => {
  it.each<[string, unknown]>([
    ['plain text with accents, tabs and line breaks', { name: 'Médiathèque\tde Saint-Jean\r\nÉtage 1' }],
    ['emoji, whole surrogate pairs', { name: 'Café 👍 ☕' }],
    ['numbers up to 2^53 - 1', { amountCents: Number.MAX_SAFE_INTEGER, share: 0.5 }],
    [`${MAX_INPUT_DEPTH} levels`, nested(MAX_INPUT_DEPTH)],
    ['arrays and nulls', { codes: ['A', null, 3], note: null }],
  ])('lets %s through', (_, input) => {
    expect(findHostileInput(input)).toBeNull();
  });

  it.each<[string, unknown, string, string]>([
    ['a NUL character', { name: 'a\u0000b' }, 'CONTROL_CHARACTER', 'name'],
    [
      'an escape character deep in a list',
      { lines: [{ comment: 'ok' }, { comment: '\u001b[31m' }] },
      'CONTROL_CHARACTER',
      'lines.1.comment',
    ],
    ['a C1 control', { name: 'a\u0085b' }, 'CONTROL_CHARACTER', 'name'],
    ['half a surrogate pair', { name: 'a\ud800b' }, 'CONTROL_CHARACTER', 'name'],
    ['the other half alone', { name: 'a\udc00' }, 'CONTROL_CHARACTER', 'name'],
    ['a __proto__ key', JSON.parse('{"a": {"__proto__": {"x": 1}}}'), 'FIELD_NOT_ALLOWED', 'a.__proto__'],
    ['a constructor key', { constructor: {} }, 'FIELD_NOT_ALLOWED', 'constructor'],
    ['a number beyond 2^53', { amountCents: 2 ** 53 }, 'NUMBER_OUT_OF_RANGE', 'amountCents'],
    ['1e20', { budgetCents: 1e20 }, 'NUMBER_OUT_OF_RANGE', 'budgetCents'],
    ['a text of 10,001 characters', { name: 'x'.repeat(10_001) }, 'TEXT_TOO_LONG', 'name'],
    [
      `${MAX_INPUT_DEPTH + 1} levels`,
      nested(MAX_INPUT_DEPTH + 1),
      'INPUT_TOO_DEEP',
      'child.'.repeat(MAX_INPUT_DEPTH).slice(0, -1),
    ],
  ])('refuses %s, naming where it is', (_, input, code, field) => {
    expect(findHostileInput(input)).toMatchObject({ code, field });
  });

  it('walks a million levels without overflowing its own stack', () => {
    expect(findHostileInput(nested(1_000_000))?.code).toBe('INPUT_TOO_DEEP');
  });
});
