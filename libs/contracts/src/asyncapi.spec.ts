import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiYaml } from './asyncapi';
import { allEventDefinitions } from './event-definition';

describe('AsyncAPI document', () => {
  const committed = readFileSync(join(__dirname, '..', 'asyncapi.yaml'), 'utf8');

  it('is the one generated from the contracts (run `npm run asyncapi` after changing an event)', () => {
    expect(committed).toEqual(renderAsyncApiYaml());
  });

  it('documents every declared event with its payload schema', () => {
    for (const definition of allEventDefinitions()) {
      expect(committed).toContain(`${definition.type}V${definition.schemaVersion}:`);
      expect(committed).toContain(`${definition.payload.name}:`);
    }
  });
});
