import { euros } from '@app/money';

describe('amounts as French readers see them', () => {
  it.each([
    [1000, '10,00 €'],
    [5, '0,05 €'],
    [123456789, '1 234 567,89 €'],
    [-1000, '-10,00 €'],
    [100_000_000_000, '1 000 000 000,00 €'],
  ])('given %i cents, then %s', (cents, text) => {
    expect(euros(cents)).toBe(text);
  });
});
