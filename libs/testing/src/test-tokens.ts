import type { PemKeyPair, TokenRequest } from '@app/auth';
import { generatePemKeyPair, mintToken } from '@app/auth';

let pair: Promise<PemKeyPair> | undefined;

/** One key pair per test process: services started by the tests trust it, tokens are signed with it. */
export function testKeyPair(): Promise<PemKeyPair> {
  pair ??= generatePemKeyPair();
  return pair;
}

export async function testToken(request: TokenRequest): Promise<string> {
  return mintToken((await testKeyPair()).privateKeyPem, request);
}
