import { expect } from '@open-wc/testing';

import type { McError } from '../../sdk/protocol/index.ts';
import { LazyDatabase, openDatabase } from '../../shell/store/idb-open.ts';

const name = () => `mc-idb-open-${crypto.randomUUID()}`;

function rawOpen(db: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(db, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('s');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function remove(db: string): Promise<'deleted' | 'blocked'> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(db);
    request.onblocked = () => resolve('blocked');
    request.onsuccess = () => resolve('deleted');
  });
}

describe('openDatabase', () => {
  it('gives up with STORAGE_UNAVAILABLE when another connection blocks the database', async () => {
    const db = name();
    // A connection that, unlike ours, ignores versionchange: the delete waits behind it,
    // and every later open waits behind the delete.
    const stubborn = await rawOpen(db);
    const deleting = remove(db);
    const error = await openDatabase(
      db,
      () => {},
      () => {},
      300,
    ).then(
      () => null,
      (e: McError) => e,
    );
    expect(error?.code).to.equal('STORAGE_UNAVAILABLE');
    stubborn.close();
    await deleting;
  });

  it('lets another tab upgrade or delete the database: it closes and says so', async () => {
    const db = name();
    let closed = 0;
    await openDatabase(
      db,
      (d) => d.createObjectStore('s'),
      () => closed++,
    );
    expect(await remove(db)).to.equal('deleted');
    expect(closed).to.equal(1);
  });

  it('LazyDatabase keeps one connection and opens a new one after another tab deleted it', async () => {
    const db = name();
    const lazy = new LazyDatabase(db, (d) => d.createObjectStore('s'));
    const first = await lazy.get();
    expect(await lazy.get()).to.equal(first);
    expect(await remove(db)).to.equal('deleted');
    const second = await lazy.get();
    expect(second).to.not.equal(first);
    expect([...second.objectStoreNames]).to.deep.equal(['s']);
    await lazy.close();
    expect(await remove(db)).to.equal('deleted');
  });
});
