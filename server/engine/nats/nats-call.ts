import { McError } from '../../../sdk/protocol/errors.ts';
import { reasonOf } from '../names.ts';

/** Runs a NATS call, turning its failures into STORAGE_UNAVAILABLE. */
export async function natsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof McError) throw error;
    throw new McError('STORAGE_UNAVAILABLE', `nats ${what}: ${reasonOf(error)}`);
  }
}
