import { departementOfInseeCode } from './site-location';

describe('département of an INSEE code', () => {
  it.each([
    ['31555', '31'],
    ['01053', '01'],
    ['2A004', '2A'],
    ['2B033', '2B'],
    ['97411', '974'],
    ['97302', '973'],
    ['97611', '976'],
  ])('given %s, then %s', (insee, departement) => {
    expect(departementOfInseeCode(insee)).toBe(departement);
  });

  it.each(['97502', '20004', '96001', '3155', '2C004'])('given %s, then none', (insee) => {
    expect(departementOfInseeCode(insee)).toBeNull();
  });
});
