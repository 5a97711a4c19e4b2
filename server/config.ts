import { parseArgs } from 'node:util';

import { McError } from '../sdk/protocol/errors.ts';
import type { EngineConfig, EngineName } from './engine/index.ts';
import type { WebhookOptions } from './webhooks/dispatcher.ts';
import { parseCidr } from './gateway/address-guard.ts';
import { checkAdminToken } from './registry/access.ts';
import { DEFAULT_DATA_FILE, DEFAULT_PORT, type ServerOptions } from './server.ts';

/** The CLI's help text: every flag, with the environment variable that sets it too. */
export const USAGE = `Usage: microcanvas-server [options]

  --port <n>             MC_PORT              TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <addr>          MC_HOST              interface to bind (default 127.0.0.1)
  --engine <name>        MC_ENGINE            embedded | redis | nats (default embedded)
  --engine-url <url>     MC_ENGINE_URL        redis://host:port, nats://host:port, or the
                                              embedded engine's SQLite file
                                              (default ${DEFAULT_DATA_FILE})
  --namespace <name>     MC_NAMESPACE         prefix of everything stored (default mc)
  --retention <time>     MC_RETENTION         how long stream history is kept (default 24h)
  --retention-len <n>    MC_RETENTION_LEN     entries kept per stream (default 10000)
  --log-level <level>    MC_LOG_LEVEL         fatal | error | warn | info | debug | trace
  --space-ttl <time>     MC_SPACE_TTL         sliding time-to-live of a space and its
                                              canvas after the last edit (default 24h)
  --host-origin <origin> MC_HOST_ORIGINS      origin of a host page allowed to open /ws
                                              (repeat the flag; the variable is
                                              comma-separated). None: /ws refuses all
                         MC_AUTH_SECRET       HS256 secret (≥ 32 characters) of the JWTs
                                              clients present (environment only: flags
                                              show in the process list)
                         MC_ADMIN_TOKEN       admin credential (≥ 32 characters) of the
                                              registry's write routes, sent as
                                              Authorization: Bearer (environment only).
                                              None: registry writes answer 403
  --probe-interval <time>
                         MC_PROBE_INTERVAL    time between health probes of app
                                              backends (default 10s)
  --heartbeat-ttl <time> MC_HEARTBEAT_TTL     how long a backend's heartbeat counts
                                              (default 30s)
  --issuer <url>         MC_ISSUER            the server's public URL, the "iss" of its
                                              tokens (default the URL it listens on; set
                                              it when several processes serve one URL)
  --key-rotation <time>  MC_KEY_ROTATION      signing key rotation interval (default 24h)
  --allow-private <cidr> MC_ALLOW_PRIVATE     a private range app backends may be reached
                                              at (gateway and webhooks; repeat the flag;
                                              the variable is comma-separated). None:
                                              private and loopback addresses are refused
  --webhook-schedule <list> MC_WEBHOOK_SCHEDULE  waits before each webhook attempt,
                                              comma-separated (default the Standard
                                              Webhooks schedule 0,5s,5m,30m,2h,5h,10h,10h)
  --webhook-timeout <time> MC_WEBHOOK_TIMEOUT how long one webhook attempt may take,
                                              answer included (default 15s)
  --gateway-allow <cidr> MC_GATEWAY_ALLOW     a private range the API gateway alone may
                                              forward to (127.0.0.0/8, 10.1.0.0/16,
                                              ::1/128; repeat the flag; the variable is
                                              comma-separated), beside --allow-private
  --dev-tokens           MC_DEV_TOKENS=1      DEMO ONLY: POST /dev/token signs a token for
                                              any user name, and the space "demo" exists
  --help                                      this text

Times are a number with a unit: 500ms, 30s, 15m, 24h, 7d.`;

const ENGINES: readonly EngineName[] = ['embedded', 'redis', 'nats'];
const DEFAULT_URLS: Record<EngineName, string> = {
  embedded: DEFAULT_DATA_FILE,
  redis: 'redis://127.0.0.1:6379',
  nats: 'nats://127.0.0.1:4222',
};
const UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 };

/** `24h` → 86400000. Throws INVALID_ARGUMENT on anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2]!]!) : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new McError('INVALID_ARGUMENT', `not a duration: ${JSON.stringify(text)} (try 24h)`);
  }
  return ms;
}

function parseCount(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new McError('INVALID_ARGUMENT', `${name} must be a whole number ≥ ${min}`);
  }
  return n;
}

/** What the CLI runs: server options, or the help text. */
export type CliConfig =
  { readonly help: true } | { readonly help: false; readonly options: ServerOptions };

/** Flags win over environment variables, which win over defaults. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      engine: { type: 'string' },
      'engine-url': { type: 'string' },
      namespace: { type: 'string' },
      retention: { type: 'string' },
      'retention-len': { type: 'string' },
      'log-level': { type: 'string' },
      'host-origin': { type: 'string', multiple: true },
      'gateway-allow': { type: 'string', multiple: true },
      'dev-tokens': { type: 'boolean' },
      'space-ttl': { type: 'string' },
      'probe-interval': { type: 'string' },
      'allow-private': { type: 'string', multiple: true },
      'webhook-schedule': { type: 'string' },
      'webhook-timeout': { type: 'string' },
      'heartbeat-ttl': { type: 'string' },
      issuer: { type: 'string' },
      'key-rotation': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const pick = (flag: string | undefined, name: string) => flag ?? env[name] ?? undefined;

  const engineName = pick(values.engine, 'MC_ENGINE') ?? 'embedded';
  if (!ENGINES.includes(engineName as EngineName)) {
    throw new McError('INVALID_ARGUMENT', `--engine must be one of ${ENGINES.join(', ')}`);
  }
  const name = engineName as EngineName;
  const retention = pick(values.retention, 'MC_RETENTION');
  const retentionLen = pick(values['retention-len'], 'MC_RETENTION_LEN');
  const namespace = pick(values.namespace, 'MC_NAMESPACE');
  const engine: EngineConfig = {
    engine: name,
    url: pick(values['engine-url'], 'MC_ENGINE_URL') ?? DEFAULT_URLS[name],
    ...(namespace === undefined ? {} : { namespace }),
    retention: {
      ...(retention === undefined ? {} : { maxAgeMs: parseDuration(retention) }),
      ...(retentionLen === undefined
        ? {}
        : { maxLen: parseCount('--retention-len', retentionLen, 1) }),
    },
  };
  const port = pick(values.port, 'MC_PORT');
  const host = pick(values.host, 'MC_HOST');
  const hostOrigins = values['host-origin'] ?? splitList(env.MC_HOST_ORIGINS);
  for (const origin of hostOrigins) checkOrigin(origin);
  const authSecret = env.MC_AUTH_SECRET;
  const adminToken = env.MC_ADMIN_TOKEN;
  if (adminToken !== undefined && adminToken !== '') checkAdminToken(adminToken);
  const spaceTtl = pick(values['space-ttl'], 'MC_SPACE_TTL');
  const probeInterval = pick(values['probe-interval'], 'MC_PROBE_INTERVAL');
  const heartbeatTtl = pick(values['heartbeat-ttl'], 'MC_HEARTBEAT_TTL');
  const issuer = pick(values.issuer, 'MC_ISSUER');
  if (issuer !== undefined) checkIssuer(issuer);
  const keyRotation = pick(values['key-rotation'], 'MC_KEY_ROTATION');
  const allowPrivate = values['allow-private'] ?? splitList(env.MC_ALLOW_PRIVATE);
  const schedule = pick(values['webhook-schedule'], 'MC_WEBHOOK_SCHEDULE');
  const webhookTimeout = pick(values['webhook-timeout'], 'MC_WEBHOOK_TIMEOUT');
  const webhooks: WebhookOptions = {
    ...(allowPrivate.length === 0 ? {} : { allow: allowPrivate }),
    ...(schedule === undefined ? {} : { schedule: parseSchedule(schedule) }),
    ...(webhookTimeout === undefined ? {} : { timeoutMs: parseDuration(webhookTimeout) }),
  };
  // --allow-private covers the gateway and webhooks; --gateway-allow the gateway alone.
  const gatewayAllow = [
    ...new Set([...(values['gateway-allow'] ?? splitList(env.MC_GATEWAY_ALLOW)), ...allowPrivate]),
  ];
  for (const cidr of gatewayAllow) parseCidr(cidr);
  const devTokens = values['dev-tokens'] ?? ['1', 'true'].includes(env.MC_DEV_TOKENS ?? '');
  return {
    help: false,
    options: {
      port: port === undefined ? DEFAULT_PORT : parseCount('--port', port, 0),
      ...(host === undefined ? {} : { host }),
      engine,
      logger: pick(values['log-level'], 'MC_LOG_LEVEL') ?? 'info',
      hostOrigins,
      ...(gatewayAllow.length === 0 ? {} : { gatewayAllow }),
      ...(authSecret === undefined || authSecret === '' ? {} : { authSecret }),
      ...(adminToken === undefined || adminToken === '' ? {} : { adminToken }),
      devTokens,
      ...(spaceTtl === undefined ? {} : { spaceTtlMs: parseDuration(spaceTtl) }),
      ...(probeInterval === undefined ? {} : { probeIntervalMs: parseDuration(probeInterval) }),
      ...(heartbeatTtl === undefined ? {} : { heartbeatTtlMs: parseDuration(heartbeatTtl) }),
      ...(issuer === undefined ? {} : { issuer }),
      ...(keyRotation === undefined ? {} : { keyRotationMs: parseDuration(keyRotation) }),
      ...(Object.keys(webhooks).length === 0 ? {} : { webhooks }),
    },
  };
}

/** An http(s) URL, as backends will compare it with the tokens' `iss`. */
function checkIssuer(issuer: string): void {
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol)) {
    throw new McError(
      'INVALID_ARGUMENT',
      `--issuer must be an http(s) URL, not ${JSON.stringify(issuer)}`,
    );
  }
}

/** `0,5s,5m` → [0, 5000, 300000]: 1–20 waits, `0` allowed (an attempt at once). */
function parseSchedule(text: string): number[] {
  const waits = splitList(text).map((part) => (part === '0' ? 0 : parseDuration(part)));
  if (waits.length < 1 || waits.length > 20) {
    throw new McError('INVALID_ARGUMENT', '--webhook-schedule must list 1–20 waits');
  }
  return waits;
}

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** An origin as browsers send it: scheme://host[:port], nothing after. */
function checkOrigin(origin: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.origin !== origin) {
    throw new McError(
      'INVALID_ARGUMENT',
      `--host-origin must be an origin like https://app.example, got ${JSON.stringify(origin)}`,
    );
  }
}
