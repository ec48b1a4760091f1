// Writes libs/contracts/asyncapi.yaml from the event contracts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiYaml } from '../libs/contracts/src/asyncapi';

const target = join(__dirname, '..', 'libs', 'contracts', 'asyncapi.yaml');
writeFileSync(target, renderAsyncApiYaml());
console.log(`wrote ${target}`);
