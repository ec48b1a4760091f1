// Prints a development token: npm run token -- --role counselor --org <agency id> [--sub name] [--ttl 8h]
import { parseArgs } from 'node:util';
import type { Role } from '../libs/auth/src';
import { loadOrCreateDevKeys, mintToken, ROLES } from '../libs/auth/src';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
    },
  });
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  if (role !== 'operator' && !values.org)
    throw new Error(`a ${role} token needs --org <id of its funder, agency or site>`);
  const keys = await loadOrCreateDevKeys();
  console.log(
    await mintToken(keys.privateKeyPem, { role, org: values.org, subject: values.sub, expiresIn: values.ttl }),
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
