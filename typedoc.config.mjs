// @ts-check
// The API reference (`npm run docs:api` → docs/api/, not committed): TypeDoc over the
// package's public entries, one module per `exports` entry. Warnings are errors, among them
// a public type that names something no entry exports (`validation.notExported`).
import { readFileSync } from 'node:fs';

import { OptionDefaults } from 'typedoc';

/** The source of each `exports` entry with code (`microcanvas/vite/client` is types only). */
const SOURCES = {
  './shell': 'shell/index.ts',
  './sdk': 'sdk/index.ts',
  './sync': 'shell/sync.ts',
  './protocol': 'sdk/protocol/index.ts',
  './remote': 'shell/remote/index.ts',
  './server': 'server/index.ts',
  './backend': 'server/backend/index.ts',
  './vite': 'vite-plugin/index.ts',
  './testing': 'testing/index.ts',
};
const pkg = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8'));
for (const [entry, target] of Object.entries(pkg.exports)) {
  if (target.default !== undefined && !(entry in SOURCES)) {
    throw new Error(`typedoc.config.mjs: add the source of the exports entry ${entry} to SOURCES`);
  }
}

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  name: 'microcanvas',
  entryPoints: Object.values(SOURCES),
  tsconfig: 'tsconfig.typedoc.json',
  out: 'docs/api',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  // Missing exports only: a link to an unexported constant is a blemish, not a broken API,
  // and must not fail someone else's landing (set `invalidLink: true` to list them).
  validation: { notExported: true, invalidLink: false, rewrittenLink: false },
  disableSources: true,
  // Lit's inherited members (styles, createProperty, …) are Lit's to document.
  excludeExternals: true,
  // Types the public signatures name that no entry exports, as of this file: each should be
  // exported or kept out of the public signatures. A new one fails `npm test` (the "API
  // reference" check), so this list can only shrink.
  intentionallyNotExported: [
    'Answer',
    'BackendEventSchema',
    'BrokerOpSchema',
    'ClientLink',
    'DeliveryHandle',
    'ErrOpSchema',
    'EventOpSchema',
    'FrameSurface',
    'GapOpSchema',
    'GroupInfo',
    'HostStatus',
    'KeySet',
    'McBrokerRestartedEvent',
    'Methods',
    'OkOpSchema',
    'PageStoreCanvas',
    'QueueDeliverySchema',
    'QueueOptions',
    'Rate',
    'RegistryOptions',
    'RegistryService',
    'SavedSlotSchema',
    'SpaceRecordSchema',
    'Tab',
    'StateOpSchema',
    'TokenOptions',
    'TrackedSession',
    'WebhookOptions',
  ],
  // Constants and a schema the comments link to that no entry exports: links to nowhere.
  externalSymbolLinkMappings: {
    microcanvas: {
      CALL_TIMEOUT_MS: '#',
      MAX_QUEUED_OPS: '#',
      RECONNECT_WINDOW_MS: '#',
      CanvasStateSchema: '#',
    },
  },
  // The custom-element tags the Custom Elements Manifest analyzer reads (STYLE.md).
  blockTags: [...OptionDefaults.blockTags, '@fires', '@csspart', '@cssprop', '@slot', '@attr'],
};
export default config;
