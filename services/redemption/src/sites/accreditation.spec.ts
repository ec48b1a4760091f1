import type { AccreditationAction } from './accreditation';
import { decideTransition } from './accreditation';
import type { SiteStatus } from './site.model';

describe('accreditation lifecycle', () => {
  it.each<[SiteStatus, AccreditationAction, SiteStatus]>([
    ['pending', 'accredit', 'accredited'],
    ['accredited', 'accredit', 'accredited'],
    ['accredited', 'suspend', 'suspended'],
    ['suspended', 'reinstate', 'accredited'],
    ['accredited', 'revoke', 'revoked'],
    ['suspended', 'revoke', 'revoked'],
  ])('given a site %s, when the operator does %s, then it is %s', (from, action, to) => {
    expect(decideTransition(from, action)).toEqual({ allowed: true, to });
  });

  it.each<[SiteStatus, AccreditationAction]>([
    ['pending', 'suspend'],
    ['pending', 'reinstate'],
    ['pending', 'revoke'],
    ['accredited', 'reinstate'],
    ['suspended', 'accredit'],
    ['suspended', 'suspend'],
    ['revoked', 'accredit'],
    ['revoked', 'reinstate'],
    ['revoked', 'suspend'],
    ['revoked', 'revoke'],
  ])('given a site %s, when the operator does %s, then it is refused with a French message', (from, action) => {
    const decision = decideTransition(from, action);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.message).toMatch(/^Impossible (de |d').+ ce lieu : il est /);
  });
});
