import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EventEnvelope } from './envelope';
import type { EventCheck } from '@app/contracts';
import {
  AgencyRegistered,
  AgencyRegisteredV1,
  assertValidPayload,
  checkEvent,
  defineEvent,
  findEventDefinition,
} from '@app/contracts';

function agencyPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    agencyId: randomUUID(),
    name: 'CCAS de Muret',
    kind: 'ccas',
    departement: '31',
    siret: '73282932000074',
    ...overrides,
  };
}

function agencyRegisteredEnvelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const payload = agencyPayload();
  return {
    eventId: randomUUID(),
    type: 'AgencyRegistered',
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    producer: 'issuance',
    key: payload.agencyId,
    correlationId: 'journey-42',
    causationId: null,
    payload,
    ...overrides,
  };
}

function reasonOf(check: EventCheck): string {
  expect(check.valid).toBe(false);
  return check.valid ? '' : check.reason;
}

describe('checkEvent', () => {
  describe('its quick envelope check', () => {
    const broken: Record<string, unknown[]> = {
      eventId: [
        undefined,
        null,
        '',
        'not-a-uuid',
        42,
        '123e4567-e89b-12d3-a456-42661417400',
        randomUUID().toUpperCase(),
        `${randomUUID()} `,
      ],
      type: [undefined, null, '', 'agencyRegistered', 'Agency Registered', 7, ['AgencyRegistered']],
      schemaVersion: [undefined, null, 0, -1, 1.5, '1', Number.NaN],
      occurredAt: [
        undefined,
        null,
        '',
        'yesterday',
        '2026-13-01T00:00:00Z',
        '2026-02-30T00:00:00Z',
        1_700_000_000_000,
        '2026-11-22',
      ],
      producer: [undefined, null, '', 'web', 'Issuance', 3],
      key: [undefined, null, '', 12],
      correlationId: [undefined, null, '', 12, {}],
      causationId: [undefined, null, '', 12, {}, 'free text'],
      payload: [undefined, null, 'text', 12, [], [agencyPayload()]],
    };
    const reference = (raw: Record<string, unknown>) =>
      validateSync(plainToInstance(EventEnvelope, raw), { forbidUnknownValues: true }).length === 0;

    it.each(Object.entries(broken))(
      "given %s altered in every listed way, when checked, then the verdict on the envelope is class-validator's",
      (field, values) => {
        for (const value of values) {
          const raw = agencyRegisteredEnvelope({ [field]: value });
          if (value === undefined) delete raw[field];
          const check = checkEvent(raw);
          const envelopeRefused = !check.valid && check.reason.startsWith('invalid envelope');
          expect({ field, value, envelopeRefused }).toEqual({ field, value, envelopeRefused: !reference(raw) });
        }
      },
    );
  });

  it('given a well-formed AgencyRegistered envelope, when checked, then it is valid and its payload is an AgencyRegisteredV1', () => {
    const raw = agencyRegisteredEnvelope();

    const check = checkEvent(raw);

    expect(check.valid).toBe(true);
    if (!check.valid) throw new Error(check.reason);
    expect(check.definition).toBe(AgencyRegistered);
    expect(check.envelope.payload).toBeInstanceOf(AgencyRegisteredV1);
    expect(check.envelope.payload).toEqual(raw.payload);
    expect(check.envelope.eventId).toBe(raw.eventId);
  });

  it('given an envelope without causationId, when checked, then it is valid (the cause is optional)', () => {
    const raw = agencyRegisteredEnvelope();
    delete raw.causationId;

    expect(checkEvent(raw).valid).toBe(true);
  });

  it.each([
    ['a string', 'AgencyRegistered'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an array', [agencyRegisteredEnvelope()]],
  ])('given %s instead of an object, when checked, then it is invalid', (_what, raw) => {
    expect(reasonOf(checkEvent(raw))).toBe('message is not a JSON object');
  });

  it('given an envelope without eventId, when checked, then it is invalid and the reason names eventId', () => {
    const raw = agencyRegisteredEnvelope();
    delete raw.eventId;

    expect(reasonOf(checkEvent(raw))).toMatch(/invalid envelope: .*eventId/);
  });

  it('given an eventId that is not a UUID, when checked, then it is invalid and the reason names eventId', () => {
    expect(reasonOf(checkEvent(agencyRegisteredEnvelope({ eventId: 'event-1' })))).toMatch(/eventId/);
  });

  it.each([
    ['not an ISO date', 'yesterday'],
    ['a French-style date', '21/11/2025'],
    ['an impossible date', '2025-13-45T10:00:00Z'],
    ['a timestamp number', Date.now()],
  ])('given occurredAt %s, when checked, then it is invalid and the reason names occurredAt', (_what, occurredAt) => {
    expect(reasonOf(checkEvent(agencyRegisteredEnvelope({ occurredAt })))).toMatch(/occurredAt/);
  });

  it.each([
    ['producer', 'billing'],
    ['key', ''],
    ['correlationId', undefined],
    ['schemaVersion', 0],
    ['schemaVersion', '1'],
    ['type', 'agency_registered'],
    ['payload', 'AgencyRegistered'],
    ['payload', [1, 2]],
  ])('given an envelope whose %s is %j, when checked, then it is invalid and the reason names it', (field, value) => {
    expect(reasonOf(checkEvent(agencyRegisteredEnvelope({ [field]: value })))).toMatch(
      new RegExp(`invalid envelope: .*${field}`),
    );
  });

  it('given an unknown type, when checked, then it is invalid and the reason names the type and version', () => {
    const check = checkEvent(agencyRegisteredEnvelope({ type: 'AgencyVanished' }));

    expect(reasonOf(check)).toBe('unknown event AgencyVanished v1');
    expect(check.envelope?.type).toBe('AgencyVanished');
  });

  it('given a known type with an undeclared version, when checked, then it is invalid and the reason names the version', () => {
    expect(reasonOf(checkEvent(agencyRegisteredEnvelope({ schemaVersion: 2 })))).toBe(
      'unknown event AgencyRegistered v2',
    );
  });

  it('given a payload with a bad SIRET, when checked, then it is invalid and the reason names siret', () => {
    const reason = reasonOf(
      checkEvent(agencyRegisteredEnvelope({ payload: agencyPayload({ siret: '73282932000075' }) })),
    );

    expect(reason).toMatch(/^invalid AgencyRegistered payload: /);
    expect(reason).toMatch(/siret/);
    expect(reason).not.toMatch(/agencyId|name|kind|departement/);
  });

  it('given a payload with an extra field, when checked, then it is refused and the reason names the field', () => {
    expect(reasonOf(checkEvent(agencyRegisteredEnvelope({ payload: agencyPayload({ secret: 'leak' }) })))).toMatch(
      /secret/,
    );
  });

  it.each([
    ['agencyId', 'agency-1'],
    ['name', 'X'],
    ['kind', 'bank'],
    ['departement', '20'],
    ['siret', undefined],
  ])('given a payload whose %s is %j, when checked, then it is invalid and the reason names it', (field, value) => {
    expect(reasonOf(checkEvent(agencyRegisteredEnvelope({ payload: agencyPayload({ [field]: value }) })))).toMatch(
      new RegExp(field),
    );
  });
});

describe('checkEvent consistency between envelope and contract', () => {
  it('given an envelope claiming another producer than the contract, then it is invalid', () => {
    const check = checkEvent(agencyRegisteredEnvelope({ producer: 'funding' }));
    expect(check.valid).toBe(false);
    expect(!check.valid && check.reason).toContain('produced by issuance');
  });

  it("given an envelope whose key is not the payload's aggregate id, then it is invalid", () => {
    const check = checkEvent(agencyRegisteredEnvelope({ key: '00000000-0000-4000-8000-000000000000' }));
    expect(check.valid).toBe(false);
    expect(!check.valid && check.reason).toContain('agencyId');
  });
});

describe('assertValidPayload', () => {
  it('given a valid payload, when asserted, then it does not throw', () => {
    expect(() => assertValidPayload(AgencyRegistered, agencyPayload() as unknown as AgencyRegisteredV1)).not.toThrow();
  });

  it('given a payload with a bad SIRET, when asserted, then it throws naming the event and the field', () => {
    const payload = agencyPayload({ siret: '12345678901234' }) as unknown as AgencyRegisteredV1;

    expect(() => assertValidPayload(AgencyRegistered, payload)).toThrow(
      /Refusing to publish an invalid AgencyRegistered: .*siret/,
    );
  });

  it('given a payload with an undeclared field, when asserted, then it throws', () => {
    const payload = agencyPayload({ internalNote: 'x' }) as unknown as AgencyRegisteredV1;

    expect(() => assertValidPayload(AgencyRegistered, payload)).toThrow(/internalNote/);
  });
});

describe('defineEvent', () => {
  it('given an already declared type and version, when declared again with another object, then it throws and the first stays', () => {
    expect(() => defineEvent({ ...AgencyRegistered, description: 'A rival declaration.' })).toThrow(
      'Event AgencyRegistered@1 is declared twice',
    );
    expect(findEventDefinition('AgencyRegistered', 1)).toBe(AgencyRegistered);
  });

  it('given the very same definition object, when declared again, then it is accepted (module reloads are harmless)', () => {
    expect(defineEvent(AgencyRegistered)).toBe(AgencyRegistered);
  });
});
