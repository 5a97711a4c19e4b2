import { expect } from '@open-wc/testing';

import type { McError } from '../../sdk/protocol/index.ts';
import { IdbConnection } from '../../shell/shared/idb-connection.ts';

const name = () => `mc-idb-connection-${crypto.randomUUID()}`;

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

describe('IdbConnection (idb, opened lazily, our open policy)', () => {
  it('gives up with STORAGE_UNAVAILABLE when another connection blocks the database, and tries again on next use', async () => {
    const db = name();
    // A connection that, unlike ours, ignores versionchange: the delete waits behind it,
    // and every later open waits behind the delete.
    const stubborn = await rawOpen(db);
    const deleting = remove(db);
    const connection = new IdbConnection(db, (d) => d.createObjectStore('s'), 300);
    const error = await connection.get().then(
      () => null,
      (e: McError) => e,
    );
    expect(error?.code).to.equal('STORAGE_UNAVAILABLE');
    stubborn.close();
    await deleting;
    // Control: once nothing blocks, the same connection opens.
    const opened = await connection.get();
    expect([...opened.objectStoreNames]).to.deep.equal(['s']);
    await connection.close();
    expect(await remove(db)).to.equal('deleted');
  });

  it('keeps one connection, lets another tab delete the database, and opens a new one after', async () => {
    const db = name();
    const connection = new IdbConnection(db, (d) => d.createObjectStore('s'));
    const first = await connection.get();
    expect(await connection.get()).to.equal(first);
    // Not 'blocked': the connection closed itself on versionchange.
    expect(await remove(db)).to.equal('deleted');
    const second = await connection.get();
    expect(second).to.not.equal(first);
    expect([...second.objectStoreNames]).to.deep.equal(['s']);
    await connection.close();
    expect(await remove(db)).to.equal('deleted');
  });
});
