import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Webhook } from 'standardwebhooks';

import { parseConfig } from '../../server/config.ts';
import { parseRetryAfter, retryDelay } from '../../server/webhooks/schedule.ts';
import { signWebhook, webhookHeaders } from '../../server/webhooks/sign.ts';
import { newSecret } from './helpers/webhooks.ts';

describe('Webhook signing (Standard Webhooks)', () => {
  const body = JSON.stringify({ type: 'calendar.date.selected', data: { n: 1, text: 'é' } });

  it('signs as the standardwebhooks package does, and the package verifies it', () => {
    const secret = newSecret();
    const ts = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders([secret], 'evt_1', ts, body);
    const hook = new Webhook(secret);
    assert.equal(headers['webhook-signature'], hook.sign('evt_1', new Date(ts * 1000), body));
    assert.deepEqual(hook.verify(body, headers), JSON.parse(body));
  });

  it('carries one signature per secret: a receiver with either secret verifies', () => {
    const [old, next, other] = [newSecret(), newSecret(), newSecret()];
    const ts = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders([old, next], 'evt_2', ts, body);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    assert.ok(new Webhook(old).verify(body, headers));
    assert.ok(new Webhook(next).verify(body, headers));
    assert.throws(() => new Webhook(other).verify(body, headers), /No matching signature/);
  });

  it('is refused by the package when the body, id or timestamp is changed', () => {
    const secret = newSecret();
    const hook = new Webhook(secret);
    const ts = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders([secret], 'evt_3', ts, body);
    assert.throws(() => hook.verify(body.replace('1', '2'), headers), /No matching signature/);
    assert.throws(() => hook.verify(body, { ...headers, 'webhook-id': 'evt_4' }), /No matching/);
    const old = ts - 10 * 60;
    const stale = { ...headers, 'webhook-timestamp': String(old) };
    stale['webhook-signature'] = signWebhook([secret], 'evt_3', old, body);
    assert.throws(() => hook.verify(body, stale), /too old/);
  });
});

describe('Retry schedule', () => {
  const schedule = [0, 5_000, 300_000];

  it('waits per the schedule, spread by at most 10 %, and ends with it', () => {
    assert.equal(retryDelay(schedule, 1, 0.5), 5_000);
    assert.equal(retryDelay(schedule, 1, 0), 4_500);
    assert.equal(retryDelay(schedule, 2, 0.999_999), 330_000);
    assert.equal(retryDelay(schedule, 3, 0.5), undefined);
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    assert.equal(parseRetryAfter('120', now, 3_600_000), 120_000);
    assert.equal(parseRetryAfter('Thu, 03 Dec 2026 10:02:00 GMT', now, 3_600_000), 120_000);
    assert.equal(parseRetryAfter('999999', now, 3_600_000), 3_600_000);
    assert.equal(parseRetryAfter('Thu, 03 Dec 2026 09:00:00 GMT', now, 3_600_000), 0);
    assert.equal(parseRetryAfter('soon', now, 3_600_000), undefined);
    assert.equal(parseRetryAfter(undefined, now, 3_600_000), undefined);
  });
});

describe('Webhook options from the command line', () => {
  it('reads the schedule and the timeout, from flags or the environment', () => {
    const flags = parseConfig(['--webhook-schedule', '0,5s,5m', '--webhook-timeout', '3s'], {});
    assert.ok(!flags.help);
    assert.deepEqual(flags.options.webhooks, { schedule: [0, 5_000, 300_000], timeoutMs: 3_000 });
    const env = parseConfig([], { MC_WEBHOOK_SCHEDULE: '0,1s', MC_ALLOW_PRIVATE: '127.0.0.1' });
    assert.ok(!env.help);
    assert.deepEqual(env.options.webhooks, { allow: ['127.0.0.1'], schedule: [0, 1_000] });
    assert.throws(() => parseConfig(['--webhook-schedule', 'soon'], {}), {
      code: 'INVALID_ARGUMENT',
    });
  });
});
