import { randomBytes, randomUUID } from 'node:crypto';
import { generatePassCode, parsePassCode } from '@app/pass-codes';
import { parseEnv } from '@app/platform';
import { DEVELOPMENT_PASS_CODE_KEY, IssuanceSettings } from '../issuance.settings';
import { PassCodeCipher } from './pass-code-cipher';

const canonical = () => (parsePassCode(generatePassCode()) as { canonical: string }).canonical;
const key = randomBytes(32).toString('base64');
const cipherWith = (base64Key: string) => new PassCodeCipher({ NODE_ENV: 'test', PASS_CODE_ENCRYPTION_KEY: base64Key });

describe('PassCodeCipher', () => {
  it('given a sealed code, when it is opened for the same pass, then the code comes back', () => {
    const cipher = cipherWith(key);
    const passId = randomUUID();
    const code = canonical();

    const sealed = cipher.seal(passId, code);

    expect(cipher.open(passId, sealed)).toBe(code);
    expect(sealed.toString('latin1')).not.toContain(code);
  });

  it('given the same code sealed twice, then the two ciphertexts differ (random IV)', () => {
    const cipher = cipherWith(key);
    const passId = randomUUID();
    const code = canonical();

    expect(cipher.seal(passId, code).equals(cipher.seal(passId, code))).toBe(false);
  });

  it('given a sealed code, when it is opened for another pass, then it fails', () => {
    const cipher = cipherWith(key);
    const sealed = cipher.seal(randomUUID(), canonical());

    expect(() => cipher.open(randomUUID(), sealed)).toThrow();
  });

  it('given a sealed code, when it is opened with another key, then it fails', () => {
    const passId = randomUUID();
    const sealed = cipherWith(key).seal(passId, canonical());

    expect(() => cipherWith(randomBytes(32).toString('base64')).open(passId, sealed)).toThrow();
  });

  it('given a sealed code with one flipped bit, when it is opened, then it fails', () => {
    const cipher = cipherWith(key);
    const passId = randomUUID();
    const sealed = cipher.seal(passId, canonical());
    sealed[sealed.length - 1] ^= 1;

    expect(() => cipher.open(passId, sealed)).toThrow();
  });
});

describe('IssuanceSettings', () => {
  it('given production without a key, when parsed, then start-up fails naming the variable', () => {
    expect(() => parseEnv(IssuanceSettings, { NODE_ENV: 'production' }, 'issuance')).toThrow(
      /PASS_CODE_ENCRYPTION_KEY/,
    );
  });

  it('given a key that is not 32 bytes of base64, when parsed, then start-up fails naming the variable', () => {
    const short = randomBytes(16).toString('base64');

    expect(() => parseEnv(IssuanceSettings, { NODE_ENV: 'test', PASS_CODE_ENCRYPTION_KEY: short }, 'issuance')).toThrow(
      /PASS_CODE_ENCRYPTION_KEY/,
    );
  });

  it('given production with a valid key, when parsed, then the key is kept', () => {
    const settings = parseEnv(IssuanceSettings, { NODE_ENV: 'production', PASS_CODE_ENCRYPTION_KEY: key }, 'issuance');

    expect(settings.PASS_CODE_ENCRYPTION_KEY).toBe(key);
  });

  it('given development without a key, when parsed, then the labelled development key is used', () => {
    const settings = parseEnv(IssuanceSettings, { NODE_ENV: 'development' }, 'issuance');

    expect(settings.PASS_CODE_ENCRYPTION_KEY).toBeUndefined();
    expect(Buffer.from(DEVELOPMENT_PASS_CODE_KEY, 'base64').toString()).toContain('DEVELOPMENT-ONLY');
    expect(() => new PassCodeCipher(settings).seal(randomUUID(), canonical())).not.toThrow();
  });
});
