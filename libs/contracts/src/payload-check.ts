// The same constraints as validateSync, without its per-call machinery
// (metadata lookup, grouping, error objects, class-transformer): bulk
// publishing (expiry: one event per pass) spent most of its CPU there.
import { TransformationType } from 'class-transformer';
// The storage is not re-exported by the package root (types: class-transformer-storage.d.ts).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { PayloadClass } from './event-definition';

/**
 * True only when class-validator would find no error in the payload (with
 * whitelist, forbidNonWhitelisted, forbidUnknownValues). False means "not
 * proven valid": the caller then runs the full validation, which gives the
 * verdict and the message. Null when the class uses something this check does
 * not reproduce (nested or async validation, groups, class-transformer
 * decorators, field defaults): the caller always runs the full validation.
 */
export type PayloadCheck = (payload: object) => boolean;

interface PropertyCheck {
  name: string;
  conditions: ValidationMetadata[];
  constraints: Array<{ metadata: ValidationMetadata; validate: (value: unknown, args: ValidationArguments) => unknown }>;
}

const SUPPORTED = new Set([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.IS_DEFINED, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.WHITELIST]);

export function compilePayloadCheck(payloadClass: PayloadClass<object>): PayloadCheck | null {
  const storage = getMetadataStorage();
  // The same call as class-validator's executor makes without groups.
  const metadatas = storage.getTargetValidationMetadatas(payloadClass, '', false, false, undefined);
  if (metadatas.length === 0) return null;
  if (metadatas.some((m) => !SUPPORTED.has(m.type) || (m.groups && m.groups.length > 0) || m.always)) return null;
  if (defaultMetadataStorage.getStrategy(payloadClass) !== 'none') return null;
  if (defaultMetadataStorage.getExposedMetadatas(payloadClass).length > 0 || defaultMetadataStorage.getExcludedMetadatas(payloadClass).length > 0) return null;

  const grouped = storage.groupByPropertyName(metadatas);
  const allowed = new Set(Object.keys(grouped));
  // A field initialiser would be validated when the payload omits the field.
  const blank = new payloadClass() as Record<string, unknown>;
  if (Object.keys(blank).some((key) => blank[key] !== undefined || !allowed.has(key))) return null;

  const properties: PropertyCheck[] = [];
  for (const [name, own] of Object.entries(grouped)) {
    // plainToInstance skips keys that are methods or getters of the class.
    if (name in payloadClass.prototype) return null;
    if (defaultMetadataStorage.findTypeMetadata(payloadClass, name)) return null;
    if (defaultMetadataStorage.findTransformMetadatas(payloadClass, name, TransformationType.PLAIN_TO_CLASS).length > 0) return null;
    const constraints: PropertyCheck['constraints'] = [];
    // Defined-checks first, then the others, as the executor runs them.
    const ordered = [...own.filter((m) => m.type === ValidationTypes.IS_DEFINED), ...own.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION)];
    for (const metadata of ordered) {
      for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraint.async) return null;
        const instance = constraint.instance as { validate: PropertyCheck['constraints'][number]['validate'] };
        constraints.push({ metadata, validate: instance.validate.bind(instance) });
      }
    }
    properties.push({ name, conditions: own.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION), constraints });
  }

  const targetName = payloadClass.name;
  return (payload: object) => {
    for (const key of Object.keys(payload)) {
      if (!allowed.has(key)) return false;
      const value = (payload as Record<string, unknown>)[key];
      // class-transformer copies objects (dates, arrays, nested): leave those to the full path.
      if (typeof value === 'object' ? value !== null : typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && value !== undefined) {
        return false;
      }
    }
    const object = Object.assign(new payloadClass(), payload) as Record<string, unknown>;
    for (const property of properties) {
      const value = object[property.name];
      if (!property.conditions.every((m) => (m.constraints[0] as (o: object, v: unknown) => boolean)(object, value))) continue;
      for (const { metadata, validate } of property.constraints) {
        if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
        // Values are primitives here, so `each` validates the value itself, as the executor does.
        const valid = validate(value, { targetName, property: property.name, object, value, constraints: metadata.constraints });
        if (!valid || typeof (valid as { then?: unknown }).then === 'function') return false;
      }
    }
    return true;
  };
}
