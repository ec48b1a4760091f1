import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SERVICE_SETTINGS } from '@app/platform';
import { IssuanceSettings, passCodeKeyOf } from '../issuance.settings';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals pass codes at rest with AES-256-GCM: `iv ‖ tag ‖ ciphertext`. The pass
 * id is the associated data, so a sealed code copied onto another pass's row
 * does not open.
 */
@Injectable()
export class PassCodeCipher {
  private readonly key: Buffer;

  constructor(@Inject(SERVICE_SETTINGS) settings: IssuanceSettings) {
    this.key = passCodeKeyOf(settings);
    if (this.key.length !== 32) throw new Error('The pass code encryption key must be 32 bytes');
  }

  seal(passId: string, canonicalCode: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(passId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(canonicalCode, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  }

  /** Throws when the data was altered, belongs to another pass or was sealed with another key. */
  open(passId: string, sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(passId, 'utf8'));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
