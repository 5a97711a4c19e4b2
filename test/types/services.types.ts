// Type tests for the SDK's host service helpers. Never run: `tsc --noEmit -p .` checks them.
// Each `@ts-expect-error` fails the check if the line stops being an error.
import {
  alert,
  autoResize,
  confirm,
  notify,
  shortcuts,
  storage,
  type AppStorage,
  type Client,
  type IdentityToken,
} from '../../sdk/index.ts';
import type { ManifestInput } from '../../sdk/protocol/index.ts';

declare const client: Client;

const stop: () => void = autoResize(client, { height: 'content', width: 'fixed' });
stop();
// @ts-expect-error an axis is 'fixed' or 'content'
autoResize(client, { height: 'auto' });

void notify(client, 'Saved', { kind: 'success' });
// @ts-expect-error toast kinds are info, success, warning, error
void notify(client, 'Saved', { kind: 'html' });
// @ts-expect-error the text is the second argument, not an option
void notify(client, 'Saved', { text: 'other' });

const answer: Promise<boolean> = confirm(client, 'Sure?', { confirmLabel: 'Yes' });
void answer;
// @ts-expect-error confirm chooses its own kind
void confirm(client, 'Sure?', { kind: 'alert' });
const done: Promise<void> = alert(client, 'Done', { title: 'Import' });
void done;

const store: AppStorage = storage(client);
const items: Promise<number[] | null> = store.get<number[]>('items');
void items;
const keys: Promise<string[]> = store.keys();
void keys;

const off: () => void = shortcuts(client, (combo: string) => combo);
off();

const manifest: ManifestInput = {
  id: 'todo',
  name: 'Todo',
  url: 'https://todo.example/',
  services: ['storage', 'modal'],
  size: { height: { mode: 'content', min: 100 } },
  shortcuts: ['Ctrl+K'],
  storage: { quotaBytes: 1024 },
};
void manifest;
// @ts-expect-error services come from a closed list
const bad: ManifestInput = { id: 'x', name: 'X', url: 'https://x.example/', services: ['camera'] };
void bad;

// Identity tokens: no arguments (the host stamps the app and slot), `{token, expiresAt}` back.
const identity: Promise<IdentityToken> = client.identityToken();
void identity.then(({ token, expiresAt }) => [token.length, expiresAt + 1]);
// @ts-expect-error a widget cannot name the app it wants a token for
void client.identityToken({ app: 'chat' });
// @ts-expect-error nor through the raw call
void client.call('identityToken', [{ app: 'chat' }]);
const raw: Promise<IdentityToken> = client.call('identityToken');
void raw;
// @ts-expect-error the answer is an object, not the bare token
const bare: Promise<string> = client.identityToken();
void bare;
const withScopes: ManifestInput = {
  id: 'todo',
  name: 'Todo',
  url: 'https://todo.example/',
  services: ['identity'],
  scopes: ['items:read', 'items:write'],
};
void withScopes;
// @ts-expect-error scopes are strings
const badScopes: ManifestInput = { id: 'x', name: 'X', url: 'https://x.example/', scopes: [1] };
void badScopes;
