// The same constraints as validateSync, without its per-call machinery
// (metadata lookup, grouping, error objects, class-transformer): bulk
// publishing (expiry: one event per pass) and every consumer spent most of
// their CPU there.
import { TransformationType } from 'class-transformer';
// The storage is not re-exported by the package root (types: class-transformer-storage.d.ts).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import type { ValidationArguments } from 'class-validator';
import { getMetadataStorage, IS_ISO8601, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { PayloadClass } from './event-definition';
import { isCanonicalTimestamp } from './iso-timestamp';

/**
 * True only when class-validator would find no error in the payload (with
 * whitelist, forbidNonWhitelisted, forbidUnknownValues). False means "not
 * proven valid": the caller then runs the full validation, which gives the
 * verdict and the message. Null when the class uses something this check does
 * not reproduce (async validation, groups, class-transformer decorators other
 * than @Type of a nested class, field defaults): the caller always runs the full validation.
 */
export type PayloadCheck = (payload: object) => boolean;

type Validate = (value: unknown, args: ValidationArguments) => unknown;

interface PropertyCheck {
  name: string;
  conditions: ValidationMetadata[];
  /** `args` is filled in before each call (validation is synchronous): one object per rule, not one per value checked. */
  constraints: Array<{ metadata: ValidationMetadata; validate: Validate; args: ValidationArguments }>;
  /** @ValidateNested with @Type: the nested class's own check, for the value or (each) every item of it. */
  nested?: { check: PayloadCheck; each: boolean };
}

const SUPPORTED = new Set([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
  ValidationTypes.NESTED_VALIDATION,
]);

const isPrimitive = (value: unknown) =>
  value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
const isPlainObject = (value: unknown): value is object =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

export function compilePayloadCheck(
  payloadClass: PayloadClass<object>,
  enclosing: ReadonlySet<PayloadClass<object>> = new Set(),
): PayloadCheck | null {
  // A class nested in itself: left to class-validator.
  if (enclosing.has(payloadClass)) return null;
  const storage = getMetadataStorage();
  // The same call as class-validator's executor makes without groups.
  const metadatas = storage.getTargetValidationMetadatas(payloadClass, '', false, false, undefined);
  if (metadatas.length === 0) return null;
  if (metadatas.some((m) => !SUPPORTED.has(m.type) || (m.groups && m.groups.length > 0) || m.always)) return null;
  if (defaultMetadataStorage.getStrategy(payloadClass) !== 'none') return null;
  if (
    defaultMetadataStorage.getExposedMetadatas(payloadClass).length > 0 ||
    defaultMetadataStorage.getExcludedMetadatas(payloadClass).length > 0
  )
    return null;

  const grouped = storage.groupByPropertyName(metadatas);
  const allowed = new Set(Object.keys(grouped));
  // A field initialiser would be validated when the payload omits the field.
  const blank = new payloadClass() as Record<string, unknown>;
  if (Object.keys(blank).some((key) => blank[key] !== undefined || !allowed.has(key))) return null;

  const properties: PropertyCheck[] = [];
  for (const [name, own] of Object.entries(grouped)) {
    // plainToInstance skips keys that are methods or getters of the class.
    if (name in payloadClass.prototype) return null;
    if (defaultMetadataStorage.findTransformMetadatas(payloadClass, name, TransformationType.PLAIN_TO_CLASS).length > 0)
      return null;
    const type = defaultMetadataStorage.findTypeMetadata(payloadClass, name);
    const nestedRules = own.filter((m) => m.type === ValidationTypes.NESTED_VALIDATION);
    let nested: PropertyCheck['nested'];
    if (nestedRules.length > 0 || type) {
      // Only @ValidateNested() @Type(() => SomeClass), the shape our contracts use.
      if (nestedRules.length !== 1 || !type || type.options?.discriminator) return null;
      const nestedClass = type.typeFunction();
      if (typeof nestedClass !== 'function') return null;
      const check = compilePayloadCheck(nestedClass as PayloadClass<object>, new Set([...enclosing, payloadClass]));
      if (!check) return null;
      nested = { check, each: nestedRules[0].each === true };
    }
    const constraints: PropertyCheck['constraints'] = [];
    // Defined-checks first, then the others, as the executor runs them.
    const ordered = [
      ...own.filter((m) => m.type === ValidationTypes.IS_DEFINED),
      ...own.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION),
    ];
    for (const metadata of ordered) {
      for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraint.async) return null;
        const instance = constraint.instance as { validate: Validate };
        const validate = instance.validate.bind(instance);
        const args: ValidationArguments = {
          targetName: payloadClass.name,
          property: name,
          object: {},
          value: undefined,
          constraints: metadata.constraints,
        };
        constraints.push({
          metadata,
          args,
          validate:
            constraint.name === IS_ISO8601 && isStrictOnly(metadata)
              ? (value, a) => isCanonicalTimestamp(value) || validate(value, a)
              : validate,
        });
      }
    }
    properties.push({
      name,
      conditions: own.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION),
      constraints,
      nested,
    });
  }

  return (payload: object) => {
    for (const key of Object.keys(payload)) if (!allowed.has(key)) return false;
    const object = Object.assign(new payloadClass(), payload) as Record<string, unknown>;
    for (const property of properties) {
      const value = object[property.name];
      // What class-transformer copies as is: primitives, arrays of primitives, and plain objects or arrays of them where a nested class is declared.
      if (!isPrimitive(value) && value !== null) {
        if (Array.isArray(value)) {
          if (
            !value.every((item) =>
              property.nested?.each ? isPlainObject(item) : isPrimitive(item) && item !== undefined,
            )
          )
            return false;
        } else if (!(property.nested && !property.nested.each && isPlainObject(value))) {
          return false;
        }
      }
      if (
        property.conditions.length > 0 &&
        !property.conditions.every((m) => (m.constraints[0] as (o: object, v: unknown) => boolean)(object, value))
      )
        continue;
      for (const { metadata, validate, args } of property.constraints) {
        if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
        args.object = object;
        args.value = value;
        // `each` checks every item of an array, and a non-array value itself, as the executor does.
        if (metadata.each && Array.isArray(value)) {
          for (const item of value) if (!isTrue(validate(item, args))) return false;
        } else if (!isTrue(validate(value, args))) {
          return false;
        }
      }
      if (property.nested) {
        const items = property.nested.each ? value : [value];
        if (!Array.isArray(items) || !items.every((item) => isPlainObject(item) && property.nested!.check(item)))
          return false;
      }
    }
    return true;
  };
}

/** A validator's answer counts only when synchronous and truthy. */
function isTrue(valid: unknown): boolean {
  return Boolean(valid) && typeof (valid as { then?: unknown }).then !== 'function';
}

/** @IsISO8601({ strict: true }) and nothing else, the option isCanonicalTimestamp stands for. */
function isStrictOnly(metadata: ValidationMetadata): boolean {
  const options = metadata.constraints?.[0] as Record<string, unknown> | undefined;
  return options !== undefined && options.strict === true && Object.keys(options).every((key) => key === 'strict');
}
