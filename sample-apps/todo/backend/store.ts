import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One user's todo item, as the widget shows it. */
export interface Item {
  readonly id: string;
  title: string;
  /** YYYY-MM-DD. */
  date: string;
  done: boolean;
}

interface Saved {
  items: Record<string, Item[]>;
  /** The day each user last selected in the calendar (from the webhook). */
  selected: Record<string, string>;
}

const MAX_ITEMS = 200;
const MAX_USERS = 1000;

/**
 * The todo backend's data: items per user, and the day each user last selected, in one JSON
 * file rewritten whole on each change (a demo's few kilobytes; a real backend uses a
 * database). Written to a temporary file and renamed, so a crash never leaves half a file.
 */
export class TodoStore {
  readonly #file: string;
  readonly #data: Saved;

  constructor(file: string) {
    this.#file = file;
    mkdirSync(dirname(file), { recursive: true });
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Saved) : undefined;
    // Keyed by user ids from the outside: objects without a prototype, so that a user named
    // `__proto__` or `constructor` is a user like any other.
    this.#data = {
      items: Object.assign(Object.create(null) as Saved['items'], saved?.items),
      selected: Object.assign(Object.create(null) as Saved['selected'], saved?.selected),
    };
  }

  items(user: string): Item[] {
    return this.#data.items[user] ?? [];
  }

  /** A user's items, `seed()` stored first when the user has never had any. */
  itemsOrSeed(user: string, seed: () => Item[]): Item[] {
    if (this.#data.items[user] === undefined && Object.keys(this.#data.items).length < MAX_USERS) {
      this.#data.items[user] = seed();
      this.#save();
    }
    return this.items(user);
  }

  add(user: string, item: Item): Item {
    const items = this.items(user);
    if (items.length >= MAX_ITEMS) throw new Error('too many items');
    if (!(user in this.#data.items) && Object.keys(this.#data.items).length >= MAX_USERS) {
      throw new Error('too many users');
    }
    this.#data.items[user] = [...items, item];
    this.#save();
    return item;
  }

  update(user: string, id: string, patch: Partial<Pick<Item, 'done' | 'title'>>): Item | undefined {
    const item = this.items(user).find((i) => i.id === id);
    if (item === undefined) return undefined;
    if (patch.done !== undefined) item.done = patch.done;
    if (patch.title !== undefined) item.title = patch.title;
    this.#save();
    return item;
  }

  remove(user: string, ids: ReadonlySet<string>): number {
    const before = this.items(user);
    this.#data.items[user] = before.filter((i) => !ids.has(i.id));
    this.#save();
    return before.length - this.#data.items[user].length;
  }

  selected(user: string): string | undefined {
    return this.#data.selected[user];
  }

  select(user: string, date: string): void {
    if (!(user in this.#data.selected) && Object.keys(this.#data.selected).length >= MAX_USERS) {
      return;
    }
    this.#data.selected[user] = date;
    this.#save();
  }

  #save(): void {
    const temp = `${this.#file}.tmp`;
    writeFileSync(temp, JSON.stringify(this.#data));
    renameSync(temp, this.#file);
  }
}
