import type { App } from 'microcanvas/sdk';

/** What the chat publishes, as types for itself and its peers. */
export type ChatApp = App<
  'chat',
  {
    /** A message; `slot` is what the sender claims, used only to skip its own echo. */
    'chat.message.sent': { text: string; author: string; slot: string };
  },
  unknown
>;
