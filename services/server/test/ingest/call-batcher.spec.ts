import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallBatcher } from '../../src/ingest/spool/call-batcher.js';
import { DurableSpool } from '../../src/ingest/spool/durable-spool.js';
import { SpoolFullError } from '../../src/ingest/spool/spool-errors.js';
import { callRecords, InMemoryCallStore } from './support/call-records.js';

let dataDir: string;
let spool: DurableSpool;
let store: InMemoryCallStore;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'costscope-batcher-'));
  spool = await DurableSpool.open({ dataDir, maxBytes: 64 * 1024 });
  store = new InMemoryCallStore();
});

afterEach(async () => {
  await spool.close();
  rmSync(dataDir, { recursive: true, force: true });
});

// Timers are off (`maxDelayMs` far away, no replay timer): each test flushes explicitly.
const batcherOf = (maxRows: number) =>
  new CallBatcher({ insert: store.insert, spool, maxRows, maxDelayMs: 3_600_000, replayIntervalMs: 0 });

describe(CallBatcher.name, () => {
  it('coalesces several requests into one insert when the row threshold is reached', async () => {
    const batcher = batcherOf(6);
    const requests = [callRecords(2), callRecords(2), callRecords(2)];
    const outcomes = await Promise.all(requests.map((records) => batcher.add(records)));
    expect(outcomes).toEqual(['inserted', 'inserted', 'inserted']);
    expect(store.inserts).toHaveLength(1);
    expect(store.insertedSpanIds()).toEqual(requests.flat().map((r) => r.spanId));
    await batcher.close();
  });

  it('answers what arrives during an insert once it is in the spool, and inserts it next, in one insert (group commit)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const batcher = new CallBatcher({
      insert: async (records) => {
        calls += 1;
        if (calls === 1) await gate;
        await store.insert(records);
      },
      spool,
      maxRows: 1000,
      maxDelayMs: 3_600_000,
      replayIntervalMs: 0,
    });
    const first = batcher.add(callRecords(1));
    void batcher.flush();
    // While the first insert hangs, three requests arrive; no timer is due for an hour.
    const later = [callRecords(2), callRecords(2), callRecords(2)];
    // They are answered without waiting for storage: written ahead to the spool and fsynced.
    expect(await Promise.all(later.map((records) => batcher.add(records)))).toEqual(['spooled', 'spooled', 'spooled']);
    expect(store.rows.size).toBe(0);
    expect(spool.isEmpty()).toBe(false);

    release();
    expect(await first).toBe('inserted');
    await batcher.close();
    expect(store.inserts.map((insert) => insert.length)).toEqual([1, 6]);
    expect(store.insertedSpanIds().slice(1)).toEqual(later.flat().map((r) => r.spanId));
    expect(spool.isEmpty()).toBe(true);
  });

  it('keeps what it answered from the spool across a crash before the insert', async () => {
    const batcher = new CallBatcher({
      insert: (records) => (records.length === 1 ? new Promise<void>(() => undefined) : store.insert(records)),
      spool,
      maxRows: 1000,
      maxDelayMs: 3_600_000,
      replayIntervalMs: 0,
      insertTimeoutMs: 3_600_000,
    });
    void batcher.add(callRecords(1));
    void batcher.flush();
    const answered = callRecords(4);
    expect(await batcher.add(answered)).toBe('spooled');

    // The process dies with the first insert hanging: only the disk is left for the next one.
    const restarted = await DurableSpool.open({ dataDir, maxBytes: 64 * 1024 });
    const next = new InMemoryCallStore();
    const { records } = await restarted.replay(next.insert);
    expect(records).toBe(4);
    expect(next.insertedSpanIds()).toEqual(answered.map((r) => r.spanId));
  });

  it('does not resolve a request before its rows are written', async () => {
    const batcher = batcherOf(1000);
    let settled = false;
    const pending = batcher.add(callRecords(3)).then((how) => {
      settled = true;
      return how;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(store.rows.size).toBe(0);
    await batcher.flush();
    expect(await pending).toBe('inserted');
    expect(store.rows.size).toBe(3);
    await batcher.close();
  });

  it('spools a batch whose insert fails instead of losing it, and delivers it once storage is back', async () => {
    const batcher = batcherOf(1000);
    store.down = true;
    const first = callRecords(4);
    const second = callRecords(3);
    const acknowledged = Promise.all([batcher.add(first), batcher.add(second)]);
    await batcher.flush();
    expect(await acknowledged).toEqual(['spooled', 'spooled']);
    expect(store.rows.size).toBe(0);
    expect(spool.isEmpty()).toBe(false);

    store.down = false;
    const result = await batcher.replaySpool();
    expect(result.records).toBe(7);
    expect(store.insertedSpanIds()).toEqual([...first, ...second].map((r) => r.spanId));
    expect(spool.isEmpty()).toBe(true);
    await batcher.close();
  });

  it('drains the spool before inserting newer rows once storage recovers', async () => {
    const batcher = batcherOf(1000);
    store.down = true;
    const older = callRecords(2);
    const spooled = batcher.add(older);
    await batcher.flush();
    expect(await spooled).toBe('spooled');

    store.down = false;
    const newer = callRecords(2);
    const inserted = batcher.add(newer);
    await batcher.flush();
    expect(await inserted).toBe('inserted');
    expect(store.insertedSpanIds()).toEqual([...older, ...newer].map((r) => r.spanId));
    expect(spool.isEmpty()).toBe(true);
    await batcher.close();
  });

  it('keeps spooling while storage stays down, and a restart replays it all', async () => {
    const batcher = batcherOf(1000);
    store.down = true;
    const all = [callRecords(2), callRecords(2), callRecords(2)];
    for (const records of all) {
      const done = batcher.add(records);
      await batcher.flush();
      expect(await done).toBe('spooled');
    }
    await batcher.close();
    await spool.close();

    // A new process over the same data directory, storage back.
    store.down = false;
    spool = await DurableSpool.open({ dataDir, maxBytes: 64 * 1024 });
    const restarted = batcherOf(1000);
    await restarted.replaySpool();
    expect(store.insertedSpanIds()).toEqual(all.flat().map((r) => r.spanId));
    await restarted.close();
  });

  it('rejects with SpoolFullError only when storage is down and the spool is full', async () => {
    const batcher = batcherOf(1000);
    store.down = true;
    let refused: unknown;
    for (let i = 0; i < 200 && !refused; i++) {
      const done = batcher.add(callRecords(5));
      await batcher.flush();
      await done.catch((error: unknown) => {
        refused = error;
      });
    }
    expect(refused).toBeInstanceOf(SpoolFullError);
    // Everything acknowledged before the refusal is still there for storage.
    store.down = false;
    const { records } = await batcher.replaySpool();
    expect(store.rows.size).toBe(records);
    expect(records).toBeGreaterThan(0);
    await batcher.close();
  });
});
