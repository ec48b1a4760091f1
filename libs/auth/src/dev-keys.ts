import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';

export const DEV_ISSUER = 'pass-numerique-dev';
export const DEFAULT_AUDIENCE = 'pass-numerique';
export const TOKEN_ALGORITHM = 'ES256';

export interface PemKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** The repository's root, found from here whether running from sources or from dist/. */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Development keys live in an ignored folder of the repository, made on first use. */
export function devKeysDir(): string {
  return process.env.DEV_KEYS_DIR ?? resolve(repositoryRoot(), '.local', 'dev-keys');
}

export async function generatePemKeyPair(): Promise<PemKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  return { privateKeyPem: await exportPKCS8(privateKey), publicKeyPem: await exportSPKI(publicKey) };
}

export async function loadOrCreateDevKeys(dir = devKeysDir()): Promise<PemKeyPair> {
  const privatePath = join(dir, 'private.pem');
  const publicPath = join(dir, 'public.pem');
  if (!existsSync(publicPath)) {
    // Written to a temporary folder then renamed, so services starting together never read half a pair.
    const pair = await generatePemKeyPair();
    const staging = `${dir}.${process.pid}.tmp`;
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'private.pem'), pair.privateKeyPem, { mode: 0o600 });
    writeFileSync(join(staging, 'public.pem'), pair.publicKeyPem);
    try {
      renameSync(staging, dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another process winning the race is fine (use its pair); anything else is a real problem.
      if (!existsSync(publicPath))
        throw new Error(`Cannot create development keys in ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }
  return { privateKeyPem: readFileSync(privatePath, 'utf8'), publicKeyPem: readFileSync(publicPath, 'utf8') };
}
