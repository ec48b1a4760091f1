import { IsIn, Matches, ValidateIf } from 'class-validator';

/** 32 bytes in standard base64: 43 symbols and one padding `=`. */
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/**
 * A fixed key for development and tests only: its bytes spell what it is, so a
 * leaked database encrypted with it is recognisable and never mistaken for production.
 */
export const DEVELOPMENT_PASS_CODE_KEY = Buffer.from('DEVELOPMENT-ONLY-KEY-NOT-SECRET!', 'utf8').toString('base64');

/** Issuance's own environment variables (the common ones are in ServiceEnv). */
export class IssuanceSettings {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  /** AES-256-GCM key sealing the pass codes at rest: base64 of 32 random bytes (`openssl rand -base64 32`). Required in production. */
  @ValidateIf(
    (settings: IssuanceSettings) =>
      settings.NODE_ENV === 'production' || settings.PASS_CODE_ENCRYPTION_KEY !== undefined,
  )
  @Matches(BASE64_32_BYTES, {
    message:
      'PASS_CODE_ENCRYPTION_KEY must be the base64 of 32 bytes (openssl rand -base64 32); it is required in production',
  })
  PASS_CODE_ENCRYPTION_KEY?: string;
}

export function passCodeKeyOf(settings: IssuanceSettings): Buffer {
  return Buffer.from(settings.PASS_CODE_ENCRYPTION_KEY ?? DEVELOPMENT_PASS_CODE_KEY, 'base64');
}
