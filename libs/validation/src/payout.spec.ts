import { isValidBic, isValidIban, isValidRna, normalizeIban } from '@app/validation';

describe('IBAN', () => {
  it.each([
    'FR7630006000011234567890189',
    'FR1420041010050500013M02606',
    'DE89370400440532013000',
    'GB82WEST12345698765432',
  ])('accepts %s', (iban) => {
    expect(isValidIban(iban)).toBe(true);
  });

  it.each([
    ['FR7630006000011234567890188', 'a wrong check'],
    ['FR7730006000011234567890189', 'wrong check digits'],
    ['fr7630006000011234567890189', 'lower case'],
    ['FR76 3000 6000 0112 3456 7890 189', 'spaces'],
    ['FR76', 'too short'],
    ['FR133000600001123456789018', 'mod 97 right, but 26 characters where France has 27'],
    ['QQ33370400440532013000', 'mod 97 right, but no such country'],
    [7630006000011234, 'a number'],
  ])('refuses %s (%s)', (iban: unknown, _why: string) => {
    expect(isValidIban(iban)).toBe(false);
  });

  it('normalises a typed IBAN to the checked form', () => {
    expect(isValidIban(normalizeIban(' fr76 3000 6000 0112 3456 7890 189'))).toBe(true);
  });
});

describe('BIC', () => {
  it.each(['BNPAFRPP', 'BNPAFRPPXXX', 'AGRIFRPP882'])('accepts %s', (bic) => expect(isValidBic(bic)).toBe(true));
  it.each(['BNPAFRP', 'BNPAFRPPXX', 'bnpafrpp', '1NPAFRPP', 'BNPAQQPP'])('refuses %s', (bic) =>
    expect(isValidBic(bic)).toBe(false),
  );
});

describe('RNA', () => {
  it.each(['W751212517', 'W313000123'])('accepts %s', (rna) => expect(isValidRna(rna)).toBe(true));
  it.each(['W75121251', 'X751212517', 'w751212517', '751212517'])('refuses %s', (rna) =>
    expect(isValidRna(rna)).toBe(false),
  );
});
