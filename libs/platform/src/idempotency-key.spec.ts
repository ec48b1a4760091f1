import { createHash } from 'node:crypto';
import type { IdempotencyClaims, IdempotencyKey, Problem } from '@app/platform';
import { claimFirst, parseIdempotencyKey, requestFingerprint } from '@app/platform';

const refusalOf = (attempt: () => unknown) => {
  try {
    attempt();
  } catch (error) {
    return { status: (error as Problem).getStatus(), code: (error as Problem).code };
  }
  return null;
};

describe('the Idempotency-Key header', () => {
  it.each([
    ['a UUID', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['one character', 'k'],
    ['200 characters', 'k'.repeat(200)],
    ['spaces and accents inside', 'commande du 3 mars à 10 h'],
  ])('accepts %s', (_what, header) => {
    expect(parseIdempotencyKey(header)).toBe(header);
  });

  it.each([
    ['no header', undefined],
    ['an empty value', ''],
    ['201 characters', 'k'.repeat(201)],
    ['a tab', 'key\twith-a-tab'],
    ['a repeated header', ['a', 'b']],
  ])('refuses %s with 400 IDEMPOTENCY_KEY_REQUIRED', (_what, header) => {
    expect(refusalOf(() => parseIdempotencyKey(header))).toEqual({ status: 400, code: 'IDEMPOTENCY_KEY_REQUIRED' });
  });
});

describe('the request fingerprint', () => {
  it('given the same body with its fields in another order, then the same fingerprint', () => {
    const body = {
      programId: 'p',
      beneficiaries: [{ situation: 'senior', diagnosticLevel: 'no_autonomy', ageBand: undefined }],
    };
    const reordered = { beneficiaries: [{ diagnosticLevel: 'no_autonomy', situation: 'senior' }], programId: 'p' };
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(body));
  });

  it('given another value or another order of a list, then another fingerprint', () => {
    expect(requestFingerprint({ codes: ['A', 'B'] })).not.toBe(requestFingerprint({ codes: ['A', 'C'] }));
    expect(requestFingerprint({ codes: ['A', 'B'] })).not.toBe(requestFingerprint({ codes: ['B', 'A'] }));
  });

  it('given a list of codes, then the SHA-256 of its JSON, as redemption_requests already stores it', () => {
    const codes = ['K7QM-3XTA-9HWP-2DRC-X', 'ABCD'];
    expect(requestFingerprint(codes)).toBe(createHash('sha256').update(JSON.stringify(codes)).digest('hex'));
  });
});

describe('claiming a key first', () => {
  /** A claims table as the services keep it, in memory: the rules under test are the helper's, not the database's. */
  class Claims implements IdempotencyClaims<{ answer: string }> {
    readonly rows = new Map<string, { fingerprint: string; answer: string }>();
    async claim(scope: string, key: IdempotencyKey, fingerprint: string) {
      if (this.rows.has(`${scope}/${key}`)) return false;
      this.rows.set(`${scope}/${key}`, { fingerprint, answer: '' });
      return true;
    }
    async holder(scope: string, key: IdempotencyKey) {
      return this.rows.get(`${scope}/${key}`) ?? null;
    }
  }
  const key = parseIdempotencyKey('key-1');
  let claims: Claims;
  let work: jest.Mock<Promise<string>, []>;
  const send = (body: object) =>
    claimFirst(
      claims,
      { scope: 'site-a', key, fingerprint: requestFingerprint(body) },
      {
        first: work,
        replay: (held) => `replayed ${held.answer}`,
      },
    );

  beforeEach(() => {
    claims = new Claims();
    let n = 0;
    work = jest.fn(async () => {
      const answer = `answer ${++n}`;
      claims.rows.get(`site-a/${key}`)!.answer = answer;
      return answer;
    });
  });

  it('given a new key, then the work is done and answers', async () => {
    expect(await send({ codes: ['A'] })).toBe('answer 1');
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('given the same key and request again, then the first answer is replayed without doing the work again', async () => {
    await send({ codes: ['A'] });

    expect(await send({ codes: ['A'] })).toBe('replayed answer 1');
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('given the same key with another request, then 409 IDEMPOTENCY_KEY_REUSED and no work', async () => {
    await send({ codes: ['A'] });

    const refusal: Problem = await send({ codes: ['B'] }).then(
      () => null!,
      (error: Problem) => error,
    );

    expect({ status: refusal.getStatus(), code: refusal.code }).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(work).toHaveBeenCalledTimes(1);
  });
});
