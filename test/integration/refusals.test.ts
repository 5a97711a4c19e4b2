import { expect } from '@open-wc/testing';

import { cleanup, command, createCanvas, mountDriven, nextEvent } from '../helpers/canvas.ts';

interface Reported {
  code: string;
  message: string;
  operation?: string;
  target?: string;
}

const DENIED = 'not permitted or does not exist';

describe('refusals name the operation and its target', () => {
  afterEach(cleanup);

  /**
   * Runs one command in a driven widget (a real cross-site sandboxed frame) and resolves with
   * the McError it reported, as the widget saw it: from `onError`, a rejected promise or a
   * subscription's `ready`.
   */
  async function refusal(
    canvas: ReturnType<typeof createCanvas>,
    slotId: string,
    cmd: Record<string, unknown>,
  ): Promise<Reported> {
    const error = nextEvent<Reported>(canvas.host, 'alpha.echo.error');
    command(canvas.host, slotId, cmd);
    return (await error).data;
  }

  it('reads the same for a denied target and one that does not exist, but for the name', async () => {
    const canvas = createCanvas();
    // beta exists (registered, publishing and with state); calendar and nosuch do not.
    canvas.host.register({
      id: 'beta',
      name: 'Beta',
      url: 'https://apps.example/beta',
      publishes: ['beta.item.*'],
    });
    const slot = await mountDriven(canvas, 'alpha');
    const pairs: [Record<string, unknown>, Record<string, unknown>, string, string, string][] = [
      // publish: outside the app's `publishes`, in its own namespace and in another app's
      [
        { cmd: 'publish', topic: 'alpha.item.deleted' },
        { cmd: 'publish', topic: 'beta.item.deleted' },
        'publish',
        'alpha.item.deleted',
        'beta.item.deleted',
      ],
      [
        { cmd: 'subscribe', pattern: 'beta.*.*' },
        { cmd: 'subscribe', pattern: 'calendar.*.*' },
        'subscribe',
        'beta.*.*',
        'calendar.*.*',
      ],
      [{ cmd: 'get', app: 'beta' }, { cmd: 'get', app: 'nosuch' }, 'state.get', 'beta', 'nosuch'],
      [
        { cmd: 'watch', app: 'beta' },
        { cmd: 'watch', app: 'nosuch' },
        'state.watch',
        'beta',
        'nosuch',
      ],
      // A host service the manifest does not list, and a method no host has.
      [
        { cmd: 'call', method: 'notify' },
        { cmd: 'call', method: 'noSuchMethod' },
        'call',
        'notify',
        'noSuchMethod',
      ],
    ];
    for (const [denied, missing, operation, deniedTarget, missingTarget] of pairs) {
      const a = await refusal(canvas, slot, denied);
      const b = await refusal(canvas, slot, missing);
      expect(a, operation).to.deep.equal({
        code: 'NOT_PERMITTED',
        message: `${operation} "${deniedTarget}": ${DENIED}`,
        operation,
        target: deniedTarget,
      });
      expect(b, operation).to.deep.equal({
        ...a,
        message: `${operation} "${missingTarget}": ${DENIED}`,
        target: missingTarget,
      });
    }
  });
});
