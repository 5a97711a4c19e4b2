import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { createRemoteJWKSet, jwtVerify } from 'jose';

import type { IdentityToken } from '../../sdk/index.ts';
import { IdentityRemote } from '../../shell/remote/identity-remote.ts';
import { ServerLink } from '../../shell/remote/server-link.ts';
import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { callOnce, mountServices } from '../fixtures/services-harness.ts';
import { cleanup, command, createCanvas, nextEvent } from '../helpers/canvas.ts';

/**
 * The identity service end to end: real cross-site widgets ask for tokens, the host stamps
 * their app and slot and forwards to a real microcanvas server (started by the runner's
 * `mc-server` command, scripts/wtr-server-plugin.mjs), and the page verifies what the widget
 * got against the server's JWKS as a backend would.
 */

interface TestServer {
  url: string;
  /** User ann's token; ann is a member of space `team`. */
  token: string;
}

type Outcome = { value: IdentityToken } | { error: { code?: string; message?: string } };

let server: TestServer;
let link: ServerLink | undefined;

/** A canvas whose host reaches the test server through a ServerLink, online. */
async function connectedCanvas(): Promise<McCanvas> {
  const canvas = createCanvas();
  link = new ServerLink({ url: server.url, getToken: () => server.token });
  new IdentityRemote(canvas.host, { link, space: 'team' }).start();
  const deadline = Date.now() + 20_000;
  while (link.state !== 'online') {
    if (Date.now() > deadline) throw new Error(`server link stayed ${link.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return canvas;
}

/** The widget calls `client.identityToken()`; resolves with what it got. */
async function askWidget(canvas: McCanvas, appId: string, slotId: string): Promise<Outcome> {
  const answer = nextEvent<Outcome>(canvas.host, `${appId}.echo.identity`);
  command(canvas.host, slotId, { cmd: 'identity' });
  return (await answer).data;
}

/** Verifies `token` as the backend of `audience` would. */
function verify(token: string, audience: string) {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', server.url));
  return jwtVerify(token, jwks, { algorithms: ['ES256'], typ: 'mc-id+jwt', audience });
}

describe('identity tokens for widgets (real server, real cross-site widgets)', () => {
  before(async () => {
    server = (await executeServerCommand<TestServer, undefined>('mc-server'))!;
  });
  afterEach(() => {
    link?.stop();
    link = undefined;
    cleanup();
  });

  it("a widget's identityToken() is a token for its own app, user, space and slot", async () => {
    const canvas = await connectedCanvas();
    const slotId = await mountServices(canvas, 'idtodo', { services: ['identity'] });
    const outcome = await askWidget(canvas, 'idtodo', slotId);
    if (!('value' in outcome)) throw new Error(`refused: ${JSON.stringify(outcome.error)}`);
    const { payload, protectedHeader } = await verify(outcome.value.token, 'idtodo');
    expect([payload.aud, payload.sub, payload.space, payload.slot, payload.scopes]).to.deep.equal([
      'idtodo',
      'ann',
      'team',
      slotId,
      ['items:read'],
    ]);
    expect(protectedHeader.typ).to.equal('mc-id+jwt');
    expect(outcome.value.expiresAt).to.equal((payload.exp as number) * 1000);
    // And where it is good: the app's API behind the server's gateway.
    expect(outcome.value.api).to.equal(new URL('/api/idtodo', server.url).href);
    // Asked again: the host's cached token, still valid for more than 10 s.
    const again = await askWidget(canvas, 'idtodo', slotId);
    expect('value' in again && again.value.token).to.equal(outcome.value.token);
  });

  it('a widget whose manifest does not list identity gets NOT_PERMITTED', async () => {
    const canvas = await connectedCanvas();
    const slotId = await mountServices(canvas, 'idnone', { services: ['notify'] });
    const outcome = await askWidget(canvas, 'idnone', slotId);
    expect('error' in outcome && outcome.error.code).to.equal('NOT_PERMITTED');
    // The same through the raw method, as a hand-written client would call it.
    const raw = await callOnce(canvas, 'idnone', slotId, 'identityToken');
    expect('error' in raw && raw.error.code).to.equal('NOT_PERMITTED');
  });

  it('a hostile widget cannot get a token for another app', async () => {
    const canvas = await connectedCanvas();
    const chat = await mountServices(canvas, 'idchat', { services: ['identity'] });
    await mountServices(canvas, 'idtodo', { services: ['identity'] });
    // Naming another app, or anything at all, is refused.
    for (const args of [[{ app: 'idtodo' }], ['idtodo'], [{ app: 'idtodo', slot: 'x' }], [null]]) {
      const named = await callOnce(canvas, 'idchat', chat, 'identityToken', args);
      expect('error' in named && named.error.code, JSON.stringify(args)).to.equal(
        'INVALID_ARGUMENT',
      );
    }
    // What it does get is its own app's: refused by the other app's backend.
    const own = await askWidget(canvas, 'idchat', chat);
    if (!('value' in own)) throw new Error(`refused: ${JSON.stringify(own.error)}`);
    expect((await verify(own.value.token, 'idchat')).payload.aud).to.equal('idchat');
    let refused = false;
    try {
      await verify(own.value.token, 'idtodo');
    } catch {
      refused = true;
    }
    expect(refused, "accepted by the other app's backend").to.equal(true);
  });

  it("ESC-4: a widget that navigates to another app's page still gets its slot's app's tokens", async () => {
    const canvas = await connectedCanvas();
    const chat = await mountServices(canvas, 'idchat', { services: ['identity'] });
    const ready = nextEvent(canvas.host, 'idchat.echo.ready');
    // The todo app's widget page, loaded in the chat app's slot: a new session of that slot.
    command(canvas.host, chat, { cmd: 'navigate', url: 'services.html?app=idtodo' });
    await ready;
    expect(canvas.frame(chat)!.epoch).to.equal(2);
    const outcome = await askWidget(canvas, 'idchat', chat);
    if (!('value' in outcome)) throw new Error(`refused: ${JSON.stringify(outcome.error)}`);
    const { payload } = await verify(outcome.value.token, 'idchat');
    expect([payload.aud, payload.slot]).to.deep.equal(['idchat', chat]);
  });

  it('without a server connection the widget gets NOT_READY', async () => {
    const canvas = createCanvas();
    const slotId = await mountServices(canvas, 'idtodo', { services: ['identity'] });
    const outcome = await askWidget(canvas, 'idtodo', slotId);
    expect('error' in outcome && outcome.error.code).to.equal('NOT_READY');
  });
});
