import { isValidSiret } from '@app/validation';
import { siretFor } from './identifiers';

describe('siretFor', () => {
  it('given seeds 0 to 2000, when turned into SIRETs, then each is a valid 14-digit SIRET and all are distinct', () => {
    const seeds = Array.from({ length: 2001 }, (_, n) => n);

    const sirets = seeds.map((n) => siretFor(n));

    const invalid = sirets.filter((siret) => !/^\d{14}$/.test(siret) || !isValidSiret(siret));
    expect(invalid).toEqual([]);
    expect(new Set(sirets).size).toBe(seeds.length);
  });

  it('given the same seed twice, when turned into a SIRET, then the result is the same', () => {
    expect(siretFor(1234)).toBe(siretFor(1234));
  });
});
