import { Counter, type Registry } from 'prom-client';

/** Outcomes of `POST /tokens/identity`, the metric's `result` label. */
export type MintResult =
  | 'issued'
  | 'unauthenticated'
  | 'origin'
  | 'invalid'
  | 'not_found'
  | 'unknown_app'
  | 'not_permitted'
  | 'rate_limited'
  | 'error';

/** The identity tokens' metrics, on the server's registry. */
export class TokenMetrics {
  readonly minted: Counter<'result'>;
  readonly rotations: Counter;

  constructor(registry: Registry) {
    this.minted = new Counter({
      name: 'microcanvas_identity_tokens_total',
      help: 'Identity token requests, by result (issued, or why not).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.rotations = new Counter({
      name: 'microcanvas_signing_key_rotations_total',
      help: 'Signing key rotations this process made (the first key included).',
      registers: [registry],
    });
  }
}
