import { parsePassCode } from '@app/pass-codes';
import type { PassState } from './eligibility';
import { lastUsableDay, passRefusal, siteRefusal } from './eligibility';

const valid = { valid: true, canonical: 'X' } as const;
const site = { id: 'site-1', departement: '31' };
const pass = (overrides: Partial<PassState> = {}): PassState => ({
  id: 'pass-1',
  status: 'issued',
  amountCents: 1000,
  territory: ['31', '2A'],
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  toleranceDays: 31,
  redeemedAt: null,
  redeemedAtSiteId: null,
  ...overrides,
});

describe('site eligibility', () => {
  it.each([
    ['pending', null, 'SITE_NOT_ACCREDITED'],
    ['suspended', '2027-01-01', 'SITE_SUSPENDED'],
    ['revoked', '2027-01-01', 'SITE_REVOKED'],
    ['accredited', '2026-05-31', 'SITE_ACCREDITATION_LAPSED'],
  ] as const)('given a site %s until %s, when it redeems on 2026-06-01, then %s', (status, accreditedUntil, code) => {
    expect(siteRefusal({ status, accreditedUntil }, '2026-06-01')?.code).toBe(code);
  });

  it('given a site accredited until today, when it redeems today, then it may', () => {
    expect(siteRefusal({ status: 'accredited', accreditedUntil: '2026-06-01' }, '2026-06-01')).toBeNull();
  });
});

describe('pass eligibility', () => {
  it('given a badly typed code, then CODE_INVALID asking to check the input', () => {
    const refusal = passRefusal(parsePassCode('K7QM-3XTA'), null, site, '2026-06-01');
    expect(refusal?.code).toBe('CODE_INVALID');
    expect(refusal?.message).toContain('vérifiez la saisie');
  });

  it('given a code with a typo, then CODE_INVALID about the check character', () => {
    expect(passRefusal({ valid: false, reason: 'check' }, null, site, '2026-06-01')?.message).toContain(
      'erreur de frappe',
    );
  });

  it('given an unknown pass, then PASS_UNKNOWN', () => {
    expect(passRefusal(valid, null, site, '2026-06-01')?.code).toBe('PASS_UNKNOWN');
  });

  it('given a pass of another territory, even redeemed, then only SITE_OUTSIDE_TERRITORY without detail', () => {
    const refusal = passRefusal(
      valid,
      pass({ territory: ['974'], status: 'redeemed', redeemedAt: new Date() }),
      site,
      '2026-06-01',
    );
    expect(refusal).toEqual({ code: 'SITE_OUTSIDE_TERRITORY', message: "Ce pass n'est pas utilisable ici." });
  });

  it('given a pass redeemed at this site, then PASS_ALREADY_REDEEMED saying when and here', () => {
    const refusal = passRefusal(
      valid,
      pass({ status: 'redeemed', redeemedAt: new Date('2026-03-12T13:05:00Z'), redeemedAtSiteId: 'site-1' }),
      site,
      '2026-06-01',
    );
    expect(refusal).toEqual({
      code: 'PASS_ALREADY_REDEEMED',
      message: 'Ce pass a déjà été utilisé le 12/03/2026 à 14:05, dans votre lieu.',
    });
  });

  it('given a pass redeemed elsewhere, then PASS_ALREADY_REDEEMED saying another site', () => {
    const refusal = passRefusal(
      valid,
      pass({ status: 'redeemed', redeemedAt: new Date(), redeemedAtSiteId: 'site-2' }),
      site,
      '2026-06-01',
    );
    expect(refusal?.message).toContain('dans un autre lieu');
  });

  it('given a voided pass, then PASS_VOIDED', () => {
    expect(passRefusal(valid, pass({ status: 'voided' }), site, '2026-06-01')?.code).toBe('PASS_VOIDED');
  });

  it('given the last day of tolerance, then usable; the day after, PASS_EXPIRED naming the last day', () => {
    expect(lastUsableDay(pass())).toBe('2027-01-31');
    expect(passRefusal(valid, pass(), site, '2027-01-31')).toBeNull();
    expect(passRefusal(valid, pass(), site, '2027-02-01')).toEqual({
      code: 'PASS_EXPIRED',
      message: "Ce pass a expiré : il était utilisable jusqu'au 31/01/2027 inclus.",
    });
  });

  it('given a pass marked expired, then PASS_EXPIRED', () => {
    expect(passRefusal(valid, pass({ status: 'expired' }), site, '2026-06-01')?.code).toBe('PASS_EXPIRED');
  });

  it('given a pass valid from a later day, then PASS_NOT_YET_VALID with that day', () => {
    expect(passRefusal(valid, pass(), site, '2025-12-31')).toEqual({
      code: 'PASS_NOT_YET_VALID',
      message: "Ce pass n'est utilisable qu'à partir du 01/01/2026.",
    });
  });
});
