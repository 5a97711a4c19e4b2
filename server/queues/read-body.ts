import type { IncomingMessage } from 'node:http';

import * as z from 'zod/mini';

import { McError } from '../../sdk/protocol/errors.ts';
import { readJson } from '../http/body.ts';

/** The request's JSON body checked by `schema`: INVALID_ARGUMENT, with zod's reasons, if not. */
export async function readBody<S extends z.ZodMiniType>(
  req: IncomingMessage,
  schema: S,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(req));
  if (!parsed.success) throw new McError('INVALID_ARGUMENT', z.prettifyError(parsed.error));
  return parsed.data;
}
