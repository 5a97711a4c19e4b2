/**
 * Exposes microcanvas/testing to a Playwright spec, which calls it with `page.evaluate`:
 * `window.microcanvasTesting.mountWidget(…)`, the simulator kept as `window.sim`.
 */
import * as testing from 'microcanvas/testing';

declare global {
  interface Window {
    microcanvasTesting: typeof testing;
    sim: testing.WidgetSimulator;
  }
}

window.microcanvasTesting = testing;
document.documentElement.dataset.ready = 'true';
