import { newBeneficiaryRef } from './beneficiary-ref';

describe('newBeneficiaryRef', () => {
  it('given a new reference, then it is BEN- and 10 Crockford symbols', () => {
    expect(newBeneficiaryRef()).toMatch(/^BEN-[0-9A-HJKMNP-TV-Z]{10}$/);
  });

  it('given 10 000 references, then they are all different', () => {
    const refs = new Set(Array.from({ length: 10_000 }, newBeneficiaryRef));

    expect(refs.size).toBe(10_000);
  });
});
