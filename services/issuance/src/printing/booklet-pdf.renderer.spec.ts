import { euros } from './booklet-pdf.renderer';

describe('booklet print formats', () => {
  it.each([
    [1000, '10,00 €'],
    [5, '0,05 €'],
    [123456789, '1 234 567,89 €'],
  ])('given %i cents, then %s', (cents, text) => {
    expect(euros(cents)).toBe(text);
  });
});
