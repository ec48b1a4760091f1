import { isDepartementCode, isValidSiret } from '@app/validation';

describe('SIRET', () => {
  it.each(['73282932000074', '35600000000048', '35600000049837'])('accepts %s', (siret) => {
    expect(isValidSiret(siret)).toBe(true);
  });

  it.each([
    ['73282932000075', 'a wrong check digit'],
    ['7328293200007', '13 digits'],
    ['7328293200007A', 'a letter'],
    [73282932000074, 'a number instead of a string'],
  ])('refuses %s (%s)', (siret: unknown, _why: string) => {
    expect(isValidSiret(siret)).toBe(false);
  });
});

describe('département codes', () => {
  it.each(['01', '31', '2A', '2B', '95', '971', '973', '976'])('accepts %s', (code) => {
    expect(isDepartementCode(code)).toBe(true);
  });

  it.each(['00', '20', '96', '975', '977', '2C', '1', '310', 31])('refuses %s', (code: unknown) => {
    expect(isDepartementCode(code)).toBe(false);
  });
});
