import { McError } from './errors.ts';

/**
 * A `JSON.stringify` replacer that refuses, with
 * `INVALID_ARGUMENT`, what JSON would otherwise change without a word: functions and
 * symbols (dropped), `undefined` in an array (null), `NaN` and `±Infinity` (null), and
 * objects that are not plain (`Map`, `Set` and class instances become `{}`, a `Date` a
 * string). `undefined` as a property's value is taken and left out, as JSON does (the
 * common `{ a: maybe }`), and as a whole payload means no data (`publish(topic)`). It sees each
 * value before its `toJSON`, through its holder. Cycles and `BigInt` make `JSON.stringify`
 * throw, which the caller reports as `INVALID_ARGUMENT` too. Kept this small because it
 * ships in every widget.
 */
export function jsonOnly(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const v = this[key];
  const t = typeof v;
  if (
    t === 'object'
      ? v &&
        !Array.isArray(v) &&
        (Object.getPrototypeOf(v) ?? Object.prototype) !== Object.prototype
      : t === 'number'
        ? !Number.isFinite(v)
        : t !== 'string' && t !== 'boolean' && (v !== undefined || Array.isArray(this))
  ) {
    throw new McError('INVALID_ARGUMENT', `not JSON: ${Object.prototype.toString.call(v)}`);
  }
  return value;
}
