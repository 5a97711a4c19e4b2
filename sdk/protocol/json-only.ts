import { McError } from './errors.ts';

/**
 * A `JSON.stringify` replacer for one operation `envelope` that refuses, with
 * `INVALID_ARGUMENT`, what JSON would otherwise change without a word: functions, symbols
 * and `undefined` (dropped, or null in arrays), `NaN` and `±Infinity` (null), and objects
 * that are not plain (`Map`, `Set` and class instances become `{}`, a `Date` a string).
 * `undefined` is taken only as a whole payload (`publish(topic)`: no data). It sees each
 * value before its `toJSON`, through its holder. Cycles and `BigInt` make `JSON.stringify`
 * throw, which the caller reports as `INVALID_ARGUMENT` too. Kept this small because it
 * ships in every widget.
 */
export const jsonOnly = (envelope: object) =>
  function (this: Record<string, unknown>, key: string, value: unknown): unknown {
    const v = this[key];
    const t = typeof v;
    if (
      t === 'object'
        ? v &&
          !Array.isArray(v) &&
          (Object.getPrototypeOf(v) ?? Object.prototype) !== Object.prototype
        : t === 'number'
          ? !Number.isFinite(v)
          : t !== 'string' && t !== 'boolean' && (v !== undefined || this !== envelope)
    ) {
      throw new McError('INVALID_ARGUMENT', `not JSON: ${Object.prototype.toString.call(v)}`);
    }
    return value;
  };
