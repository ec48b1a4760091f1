import { randomUUID } from 'node:crypto';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateNested, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import {
  AgencyRegistered,
  allEventDefinitions,
  assertValidPayloads,
  BookletIssued,
  EventDefinition,
  VoucherExpired,
  VoucherExpiredV1,
} from '@app/contracts';
import { compilePayloadCheck } from './payload-check';

/** What assertValidPayload decides, as a boolean. */
const classValidatorAccepts = (definition: EventDefinition, payload: object) =>
  validateSync(plainToInstance(definition.payload, payload) as object, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).length === 0;

const expiredPayload = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  passId: randomUUID(),
  bookletId: randomUUID(),
  programId: randomUUID(),
  agencyId: randomUUID(),
  amountCents: 1000,
  expiredAt: new Date().toISOString(),
  ...overrides,
});

const agencyPayload = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  agencyId: randomUUID(),
  name: 'CCAS de Muret',
  kind: 'ccas',
  departement: '31',
  siret: '73282932000074',
  ...overrides,
});

const bookletPayload = (passes: object[]): Record<string, unknown> => ({
  bookletId: randomUUID(),
  programId: randomUUID(),
  agencyId: randomUUID(),
  issuedBy: 'counselor-1',
  beneficiary: { beneficiaryRef: 'BEN-1234', ageBand: '60_74', situation: 'senior', diagnosticLevel: 'no_autonomy' },
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  toleranceDays: 31,
  territory: ['31', '2A'],
  passes,
  totalCents: 1000 * passes.length,
});

/** Every field replaced by values of the wrong kind, plus an undeclared field. */
function variants(valid: Record<string, unknown>): Array<Record<string, unknown>> {
  const wrong: unknown[] = [
    undefined,
    null,
    '',
    'x',
    0,
    -1,
    1.5,
    1000,
    true,
    '2026-13-45',
    'not-a-uuid',
    randomUUID().toUpperCase(),
    new Date(),
    [],
    {},
    ['31'],
    '00000000-0000-0000-0000-000000000000',
  ];
  const out = [valid, { ...valid, extra: 'x' }, { ...valid, constructor: 'x' }, {}];
  for (const key of Object.keys(valid)) {
    const { [key]: _omitted, ...without } = valid;
    out.push(without);
    for (const value of wrong) out.push({ ...valid, [key]: value });
  }
  return out;
}

describe('compilePayloadCheck', () => {
  it.each([
    ['VoucherExpired', VoucherExpired, expiredPayload()],
    ['AgencyRegistered', AgencyRegistered, agencyPayload()],
  ] as Array<[string, EventDefinition, Record<string, unknown>]>)(
    'given %s payloads, valid or broken field by field, then it accepts exactly the ones class-validator accepts, never more',
    (_name, definition, valid) => {
      const check = compilePayloadCheck(definition.payload);
      expect(check).not.toBeNull();

      for (const payload of variants(valid)) {
        const accepted = check!(payload);
        const reference = classValidatorAccepts(definition, payload);
        // Never valid when class-validator says invalid. A valid payload of primitives takes the fast path
        // (a 'constructor' key, which plainToInstance drops, is left to the full validation).
        if (accepted) expect({ payload, reference }).toEqual({ payload, reference: true });
        const plain =
          !Object.hasOwn(payload, 'constructor') &&
          Object.values(payload).every((v) => v === null || typeof v !== 'object');
        if (reference && plain) expect({ payload, accepted }).toEqual({ payload, accepted: true });
      }
    },
  );

  it('given any declared event, when an empty or foreign payload is checked, then it is never accepted unless class-validator accepts it', () => {
    for (const definition of allEventDefinitions()) {
      const check = compilePayloadCheck(definition.payload);
      if (!check) continue;
      for (const payload of [{}, { foo: 'bar' }, { [definition.keyField]: randomUUID() }]) {
        if (check(payload)) expect(classValidatorAccepts(definition, payload)).toBe(true);
      }
    }
  });

  it('given optional fields, then a missing or null optional field passes and a wrong one does not', () => {
    class WithOptional {
      @IsString() name: string;
      @IsOptional() @IsInt() @Min(1) count?: number;
    }
    const check = compilePayloadCheck(WithOptional)!;

    expect(check({ name: 'a' })).toBe(true);
    expect(check({ name: 'a', count: null })).toBe(true);
    expect(check({ name: 'a', count: 2 })).toBe(true);
    expect(check({ name: 'a', count: 0 })).toBe(false);
    expect(check({ name: 'a', count: '2' })).toBe(false);
    expect(check({ count: 2 })).toBe(false);
  });

  it('given BookletIssued payloads, broken field by field at every level, then it accepts only what class-validator accepts, and a valid one quickly', () => {
    const check = compilePayloadCheck(BookletIssued.payload)!;
    expect(check).not.toBeNull();
    const pass = () => ({ passId: randomUUID(), codeHash: 'a'.repeat(64), amountCents: 1000 });
    const valid = bookletPayload([pass(), pass()]);
    expect(check(valid)).toBe(true);

    const broken = [
      ...variants(valid),
      ...variants(valid.beneficiary as Record<string, unknown>).map((beneficiary) => ({ ...valid, beneficiary })),
      ...variants(pass()).map((item) => ({ ...valid, passes: [pass(), item] })),
      { ...valid, passes: [] },
      { ...valid, passes: Array.from({ length: 11 }, pass) },
      { ...valid, passes: [pass(), null] },
      { ...valid, passes: [pass(), 'x'] },
      { ...valid, passes: [[pass()]] },
      { ...valid, passes: pass() },
      { ...valid, territory: [] },
      { ...valid, territory: ['31', '2A', '99'] },
      { ...valid, territory: ['31', 31] },
      { ...valid, territory: '31' },
      { ...valid, beneficiary: [valid.beneficiary] },
      { ...valid, beneficiary: new Date() },
    ];
    for (const payload of broken) {
      if (check(payload))
        expect({
          payload,
          reference: classValidatorAccepts(BookletIssued as unknown as EventDefinition, payload),
        }).toEqual({ payload, reference: true });
    }
  });

  it('given a class with field defaults or a nested class without its type, then there is no fast check (the full validation always runs)', () => {
    class Line {
      @IsString() label: string;
    }
    class WithUntypedNested {
      @ValidateNested() line: Line;
    }
    class WithDefault {
      @IsString() name: string = 'default';
    }

    expect(compilePayloadCheck(WithUntypedNested)).toBeNull();
    expect(compilePayloadCheck(WithDefault)).toBeNull();
  });

  it('given a class with a typed nested class, then nested values are checked by the nested class rules', () => {
    class Line {
      @IsString() label: string;
    }
    class WithNested {
      @ValidateNested() @Type(() => Line) line: Line;
    }
    const check = compilePayloadCheck(WithNested)!;

    expect(check({ line: { label: 'a' } })).toBe(true);
    expect(check({ line: { label: 2 } })).toBe(false);
    expect(check({ line: { label: 'a', other: 1 } })).toBe(false);
    expect(check({})).toBe(false);
  });
});

describe('assertValidPayloads', () => {
  it('given many valid payloads, then it does not throw', () => {
    const payloads = Array.from({ length: 50 }, () => expiredPayload()) as unknown as VoucherExpiredV1[];
    expect(() => assertValidPayloads(VoucherExpired, payloads)).not.toThrow();
  });

  it('given one invalid payload among valid ones, then it throws the usual message naming the event and the field', () => {
    const payloads = [
      expiredPayload(),
      expiredPayload({ amountCents: 0 }),
      expiredPayload(),
    ] as unknown as VoucherExpiredV1[];
    expect(() => assertValidPayloads(VoucherExpired, payloads)).toThrow(
      /Refusing to publish an invalid VoucherExpired: amountCents/,
    );
  });

  it('given a payload with an undeclared field, then it throws', () => {
    expect(() =>
      assertValidPayloads(VoucherExpired, [expiredPayload({ note: 'x' })] as unknown as VoucherExpiredV1[]),
    ).toThrow(/note/);
  });
});
