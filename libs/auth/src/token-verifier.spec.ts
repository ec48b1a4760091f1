import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import type { PemKeyPair, Role } from '@app/auth';
import {
  DEFAULT_AUDIENCE,
  DEV_ISSUER,
  generatePemKeyPair,
  InvalidTokenError,
  mintToken,
  TOKEN_ALGORITHM,
  TokenVerifier,
} from '@app/auth';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowInSeconds = () => Math.floor(Date.now() / 1000);

describe('TokenVerifier', () => {
  let trusted: PemKeyPair;
  let stranger: PemKeyPair;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    [trusted, stranger] = await Promise.all([generatePemKeyPair(), generatePemKeyPair()]);
    verifier = new TokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEFAULT_AUDIENCE,
      publicKeyPem: trusted.publicKeyPem,
      maxTokenLifetimeSeconds: 12 * 3600,
    });
  });

  async function expectRefused(token: string, reason?: RegExp): Promise<void> {
    const attempt = verifier.verify(token);
    await expect(attempt).rejects.toBeInstanceOf(InvalidTokenError);
    if (reason) await expect(attempt).rejects.toThrow(reason);
  }

  describe('accepts', () => {
    it('given a valid counselor token, when verified, then it yields its subject, role and organisation', async () => {
      const agencyId = randomUUID();
      const token = await mintToken(trusted.privateKeyPem, {
        role: 'counselor',
        org: agencyId,
        subject: 'counselor-42',
      });

      await expect(verifier.verify(token)).resolves.toEqual({
        subject: 'counselor-42',
        role: 'counselor',
        org: agencyId,
      });
    });

    it('given an operator token without org, when verified, then org is null', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'operator', subject: 'operator-1' });

      await expect(verifier.verify(token)).resolves.toEqual({ subject: 'operator-1', role: 'operator', org: null });
    });

    it.each(['funder', 'site'] as const)(
      'given a valid %s token with its org, when verified, then it is accepted',
      async (role) => {
        const org = randomUUID();
        const token = await mintToken(trusted.privateKeyPem, { role, org });

        await expect(verifier.verify(token)).resolves.toMatchObject({ role, org });
      },
    );
  });

  describe('remembers verified tokens', () => {
    afterEach(() => jest.useRealTimers());

    it('given a token verified once, when it has expired since, then it is refused although it was remembered', async () => {
      const token = await mintToken(trusted.privateKeyPem, {
        role: 'site',
        org: randomUUID(),
        expiresIn: nowInSeconds() + 60,
      });
      await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'site' });
      await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'site' });

      jest.useFakeTimers({ now: Date.now() + 61_000, advanceTimers: true });

      await expectRefused(token, /exp/);
    });

    it('given a token refused once, when presented again, then it is refused again', async () => {
      const token = await mintToken(stranger.privateKeyPem, { role: 'operator' });

      await expectRefused(token, /signature/);
      await expectRefused(token, /signature/);
    });
  });

  describe('refuses with InvalidTokenError', () => {
    it('given a token whose expiry is in the past, when verified, then it is refused', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'operator', expiresIn: nowInSeconds() - 3600 });

      await expectRefused(token, /exp/);
    });

    it('given a token signed by another key, when verified, then it is refused', async () => {
      const token = await mintToken(stranger.privateKeyPem, { role: 'operator' });

      await expectRefused(token, /signature/);
    });

    it('given a token for another audience, when verified, then it is refused', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'operator', audience: 'some-other-app' });

      await expectRefused(token, /aud/);
    });

    it('given a token from another issuer, when verified, then it is refused', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'operator', issuer: 'https://evil.example' });

      await expectRefused(token, /iss/);
    });

    it('given a token with an unknown role, when verified, then it is refused', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'admin' as Role, org: randomUUID() });

      await expectRefused(token, /unknown role admin/);
    });

    it('given a token with no role at all, when verified, then it is refused', async () => {
      const key = await importPKCS8(trusted.privateKeyPem, TOKEN_ALGORITHM);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: TOKEN_ALGORITHM })
        .setSubject('nobody')
        .setIssuer(DEV_ISSUER)
        .setAudience(DEFAULT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);

      await expectRefused(token, /unknown role/);
    });

    it.each(['funder', 'counselor', 'site'] as const)(
      'given a %s token without org, when verified, then it is refused',
      async (role) => {
        const token = await mintToken(trusted.privateKeyPem, { role });

        await expectRefused(token, /org/);
      },
    );

    it('given a site token whose org is not a UUID, when verified, then it is refused', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'site', org: "lieu-1' OR 1=1" });

      await expectRefused(token, /UUID/);
    });

    it('given a counselor token whose org is an empty string, when verified, then it is refused', async () => {
      const key = await importPKCS8(trusted.privateKeyPem, TOKEN_ALGORITHM);
      const token = await new SignJWT({ role: 'counselor', org: '' })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM })
        .setSubject('c')
        .setIssuer(DEV_ISSUER)
        .setAudience(DEFAULT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);

      await expectRefused(token, /org/);
    });

    it('given a token without an expiry, when verified, then it is refused', async () => {
      const key = await importPKCS8(trusted.privateKeyPem, TOKEN_ALGORITHM);
      const token = await new SignJWT({ role: 'operator' })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM })
        .setSubject('operator-forever')
        .setIssuer(DEV_ISSUER)
        .setAudience(DEFAULT_AUDIENCE)
        .setIssuedAt()
        .sign(key);

      await expectRefused(token, /exp/);
    });

    it('given a token without an issue time, when verified, then it is refused', async () => {
      const key = await importPKCS8(trusted.privateKeyPem, TOKEN_ALGORITHM);
      const token = await new SignJWT({ role: 'operator' })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM })
        .setSubject('operator-undated')
        .setIssuer(DEV_ISSUER)
        .setAudience(DEFAULT_AUDIENCE)
        .setExpirationTime('1h')
        .sign(key);

      await expectRefused(token, /iat/);
    });

    it('given a token made to live ten years, when verified, then it is refused', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'operator', expiresIn: '3650d' });

      await expectRefused(token, /more than the 43200 s allowed/);
    });

    it('given a token issued 13 hours ago, when verified, then it is refused although not yet expired', async () => {
      const key = await importPKCS8(trusted.privateKeyPem, TOKEN_ALGORITHM);
      const token = await new SignJWT({ role: 'operator' })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM })
        .setSubject('operator-old')
        .setIssuer(DEV_ISSUER)
        .setAudience(DEFAULT_AUDIENCE)
        .setIssuedAt(nowInSeconds() - 13 * 3600)
        .setExpirationTime(nowInSeconds() + 3600)
        .sign(key);

      await expectRefused(token, /iat|age|old/i);
    });

    it('given a token of exactly twelve hours, when verified, then it is accepted', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'operator', expiresIn: '12h' });

      await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'operator' });
    });

    it('given a token without a subject, when verified, then it is refused', async () => {
      const key = await importPKCS8(trusted.privateKeyPem, TOKEN_ALGORITHM);
      const token = await new SignJWT({ role: 'operator' })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEFAULT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);

      await expectRefused(token, /sub/);
    });

    it('given an unsigned token (alg: none) with otherwise valid claims, when verified, then it is refused', async () => {
      const claims = {
        role: 'operator',
        sub: 'intruder',
        iss: DEV_ISSUER,
        aud: DEFAULT_AUDIENCE,
        iat: nowInSeconds(),
        exp: nowInSeconds() + 3600,
      };
      const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;

      await expectRefused(token);
    });

    it('given a valid token whose payload was tampered with, when verified, then it is refused', async () => {
      const token = await mintToken(trusted.privateKeyPem, { role: 'counselor', org: randomUUID() });
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = `${header}.${base64url({ ...claims, role: 'operator' })}.${signature}`;

      await expectRefused(forged, /signature/);
    });

    it.each(['garbage', '', 'a.b.c', 'Bearer x'])(
      'given the non-token %j, when verified, then it is refused',
      async (token) => {
        await expectRefused(token);
      },
    );
  });
});
