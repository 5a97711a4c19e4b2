import type { McCanvas } from '../../../shell/elements/mc-canvas.ts';
import type { McAppStatusEvent } from '../../../shell/elements/events.ts';
import { createRawFrame } from '../frames.ts';
import { forget, take } from '../inbox.ts';
import { median, sleep } from '../stats.ts';

const COUNT = 20;

/** Time from 20 `canvas.mount` calls to 20 `mc-app-connected` events, in ms. */
async function mountMc(canvas: McCanvas, app: string): Promise<number> {
  let connected = 0;
  let finish: (t: number) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const done = new Promise<number>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const onConnected = () => {
    if (++connected === COUNT) finish(performance.now());
  };
  const onStatus = (event: Event) => {
    const { status } = event as McAppStatusEvent;
    if (status.state === 'error') fail(new Error(`mount failed: ${status.message}`));
  };
  canvas.addEventListener('mc-app-connected', onConnected);
  canvas.addEventListener('mc-app-status', onStatus);
  const timer = setTimeout(() => fail(new Error(`only ${connected} connected`)), 30_000);
  const t0 = performance.now();
  const slots: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    slots.push(
      canvas.mount({ app, x: (i % 5) * 170, y: Math.floor(i / 5) * 100, width: 160, height: 90 }),
    );
  }
  try {
    return (await done) - t0;
  } finally {
    clearTimeout(timer);
    canvas.removeEventListener('mc-app-connected', onConnected);
    canvas.removeEventListener('mc-app-status', onStatus);
    for (const slotId of slots) canvas.unmount(slotId);
    await canvas.updateComplete;
  }
}

/** Time from creating 20 raw sandboxed frames to 20 raw "ready" (`hello`) messages, in ms. */
async function mountRaw(container: HTMLElement): Promise<number> {
  const t0 = performance.now();
  const wins: Window[] = [];
  for (let i = 0; i < COUNT; i++) wins.push(createRawFrame(container).contentWindow!);
  try {
    await Promise.all(wins.map((w) => take(w, 'hello', 30_000)));
    return performance.now() - t0;
  } finally {
    container.replaceChildren();
    wins.forEach(forget);
  }
}

/**
 * Scenario 3: one warm-up of each, then `repeats` alternating rounds; frames are removed
 * and the machine left to settle between rounds.
 */
export async function measureMount(
  canvas: McCanvas,
  container: HTMLElement,
  app: string,
  repeats: number,
  log: (line: string) => void,
): Promise<{ mc: { median: number; runs: number[] }; raw: { median: number; runs: number[] } }> {
  const mc: number[] = [];
  const raw: number[] = [];
  await mountMc(canvas, app);
  await sleep(400);
  await mountRaw(container);
  await sleep(400);
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? ['mc', 'raw'] : ['raw', 'mc'];
    for (const which of order) {
      if (which === 'mc') mc.push(await mountMc(canvas, app));
      else raw.push(await mountRaw(container));
      await sleep(400);
    }
    log(
      `mount repeat ${r + 1}/${repeats}: mc ${mc.at(-1)!.toFixed(0)} ms, raw ${raw.at(-1)!.toFixed(0)} ms`,
    );
  }
  return { mc: { median: median(mc), runs: mc }, raw: { median: median(raw), runs: raw } };
}
