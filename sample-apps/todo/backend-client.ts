import type { Client } from 'microcanvas/sdk';

import { isIsoDate, type Todo } from './seed.ts';

/**
 * The todo widget's link to its own backend, through the microcanvas server's gateway
 * (docs/backends.md): each request carries the identity token the host obtains for this
 * widget (`client.identityToken()`; the host reuses one until shortly before it expires), so
 * the backend knows the user without cookies, which a sandboxed frame does not have.
 */
export class TodoBackend {
  readonly #client: Pick<Client, 'identityToken'>;
  readonly #api: string;

  private constructor(client: Pick<Client, 'identityToken'>, api: string) {
    this.#client = client;
    this.#api = api;
  }

  /**
   * A backend link when the host can mint tokens for this widget and names the API; undefined
   * otherwise (no server, or a host without the identity service): the widget then keeps its
   * items with the host's storage, as before.
   */
  static async connect(client: Pick<Client, 'identityToken'>): Promise<TodoBackend | undefined> {
    try {
      const { api } = await client.identityToken();
      return api ? new TodoBackend(client, api) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The user's items (seeded on the first visit) and the day last selected in the calendar. */
  async load(): Promise<{ items: Todo[]; selected: string | null }> {
    const body = (await this.#request('GET', '/items')) as {
      items?: unknown;
      selected?: unknown;
    };
    const items = Array.isArray(body.items) ? body.items.filter(isTodo) : [];
    return { items, selected: isIsoDate(body.selected) ? body.selected : null };
  }

  async add(title: string, date: string): Promise<Todo> {
    const item = await this.#request('POST', '/items', { title, date });
    if (!isTodo(item)) throw new Error('the backend answered no item');
    return item;
  }

  async setDone(id: string, done: boolean): Promise<void> {
    await this.#request('PATCH', `/items/${encodeURIComponent(id)}`, { done });
  }

  async clearDone(): Promise<void> {
    await this.#request('DELETE', '/items/done');
  }

  async #request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { token } = await this.#client.identityToken();
    const response = await fetch(`${this.#api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`the todo backend answered ${response.status}`);
    return response.json();
  }
}

/** The backend's items are still checked: it is ours, but what arrives is data. */
function isTodo(value: unknown): value is Todo {
  const t = value as Partial<Todo> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.id === 'string' &&
    typeof t.title === 'string' &&
    isIsoDate(t.date) &&
    typeof t.done === 'boolean'
  );
}
