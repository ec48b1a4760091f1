import { eurosDecimal, sepaText } from './sepa-file';

describe('SEPA payment file values', () => {
  it('writes cents as euros with two decimals, without floating point', () => {
    expect(eurosDecimal(5)).toBe('0.05');
    expect(eurosDecimal(1000)).toBe('10.00');
    expect(eurosDecimal(123_456_789_01)).toBe('123456789.01');
  });

  it('keeps names within the EPC character set: accents dropped, other symbols become spaces', () => {
    expect(sepaText('Médiathèque Françoise-Sagan & Cie <Lœuilly>')).toBe('Mediatheque Francoise-Sagan Cie Loeuilly');
    expect(sepaText("L'Atelier (31) : 2/3, rue d'Alsace-Lorraine")).toBe("L'Atelier (31) : 2/3, rue d'Alsace-Lorraine");
  });
});
