import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallBatcher } from '../../src/ingest/spool/call-batcher.js';
import { DeadLetterFile, type DeadLetteredCall } from '../../src/ingest/spool/dead-letter-file.js';
import { DurableSpool } from '../../src/ingest/spool/durable-spool.js';
import { encodeFrame } from '../../src/ingest/spool/segment-frames.js';
import { openEmbeddedTransport } from '../../src/storage/embedded-transport.js';
import { CostscopeStorageError } from '../../src/storage/errors.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import { migrate } from '../../src/storage/migrate.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { callRecords } from '../ingest/support/call-records.js';

/**
 * A batch storage always refuses must not stop the calls behind it, and a write that fails in any
 * way must not stop the batcher. Storage here is real chDB: the poison is a call whose cost does
 * not fit `Decimal(38, 18)`, which ClickHouse refuses on every try (code 69).
 */
let storageDir: string;
let transport: ClickHouseTransport;
let dataDir: string;
let spool: DurableSpool;
let deadLetters: DeadLetterFile;

beforeAll(async () => {
  storageDir = mkdtempSync(join(tmpdir(), 'costscope-poison-storage-'));
  transport = await openEmbeddedTransport({ dataDir: storageDir, database: 'costscope' });
  await migrate(transport, { database: 'costscope', retentionDays: 3650 });
});

afterAll(async () => {
  await transport?.close();
  rmSync(storageDir, { recursive: true, force: true });
});

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'costscope-poison-'));
  deadLetters = new DeadLetterFile(dataDir);
  spool = await DurableSpool.open({ dataDir, setAsideSegment: (path, reason) => deadLetters.setAsideSegment(path, reason) });
});

afterEach(async () => {
  await spool.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let projectCounter = 0;
/** Each test writes its own project, so counts never mix. */
const nextProject = () => `p-poison-${++projectCounter}`;

function poisonCall(projectId: string): LlmCallRecord {
  // 10^45 atto-dollars = 10^27 dollars: 28 integer digits where the column holds 20.
  return callRecords(1, { projectId, totalCostUsd: 10n ** 45n, feature: 'poison' })[0] as LlmCallRecord;
}

async function storedSpanIds(projectId: string): Promise<string[]> {
  const rows = await transport.query<{ span_id: string }>({
    sql: 'SELECT span_id FROM llm_calls FINAL WHERE project_id = {projectId:String} ORDER BY span_id',
    params: { projectId },
    tag: { operation: 'test.storedSpanIds' },
  });
  return rows.map((row) => row.span_id);
}

function deadLettered(): DeadLetteredCall[] {
  const files = readdirSync(deadLetters.directory).filter((name) => name.endsWith('.jsonl'));
  return files.flatMap((name) =>
    readFileSync(join(deadLetters.directory, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as DeadLetteredCall),
  );
}

function batcher(insert: (records: LlmCallRecord[]) => Promise<void>, extra: Partial<ConstructorParameters<typeof CallBatcher>[0]> = {}): CallBatcher {
  return new CallBatcher({
    insert,
    spool,
    maxRows: 100_000,
    maxDelayMs: 3_600_000,
    replayIntervalMs: 0,
    deadLetter: (records, reason) => deadLetters.add(records, reason),
    ...extra,
  });
}

const intoStorage = async (records: LlmCallRecord[]) => void (await insertCalls(transport, records));

describe('a poison call in a live batch', () => {
  it('is dead-lettered with the reason, and every other call of the batch is stored', async () => {
    const projectId = nextProject();
    const good = callRecords(9, { projectId });
    const poison = poisonCall(projectId);
    const batch = [...good.slice(0, 4), poison, ...good.slice(4)];
    const calls = batcher(intoStorage);
    const outcomes = Promise.all(batch.map((record) => calls.add([record])));
    await calls.flush();
    expect(await outcomes).toEqual(batch.map(() => 'inserted'));

    expect(await storedSpanIds(projectId)).toEqual(good.map((record) => record.spanId).sort());
    const letters = deadLettered();
    expect(letters.map((letter) => letter.call.spanId)).toEqual([poison.spanId]);
    // ClickHouse refuses it (Decimal value is too big), or storage's own check before sending does.
    expect(letters[0]?.reason).toMatch(/Decimal value is too big|more than 38 digits of atto-dollars/);
    expect(letters[0]?.call.totalCostUsd).toBe((10n ** 45n).toString());
    expect(spool.isEmpty()).toBe(true);
  });
});

describe('a poison batch in the spool', () => {
  it('is dead-lettered at replay, and the calls spooled before and after it are delivered', async () => {
    const projectId = nextProject();
    const before = callRecords(3, { projectId });
    const poison = [poisonCall(projectId), poisonCall(projectId)];
    const after = callRecords(3, { projectId });
    // Spooled during an outage, in three batches.
    await spool.append(before);
    await spool.append(poison);
    await spool.append(after);

    const replayed = await batcher(intoStorage).replaySpool();
    expect(replayed.records).toBe(8);
    expect(await storedSpanIds(projectId)).toEqual([...before, ...after].map((record) => record.spanId).sort());
    expect(deadLettered().map((letter) => letter.call.spanId).sort()).toEqual(poison.map((record) => record.spanId).sort());
    expect(spool.isEmpty()).toBe(true);
  });

  it('moves a segment it cannot read back aside, and delivers the segments behind it', async () => {
    const projectId = nextProject();
    // A frame whose CRC holds but whose payload is not calls (another version, a hand edit).
    writeFileSync(join(spool.directory, 'segment-000000000001.log'), encodeFrame(Buffer.from('{"not":"calls"'), 'json'));
    await spool.close();
    spool = await DurableSpool.open({ dataDir, setAsideSegment: (path, reason) => deadLetters.setAsideSegment(path, reason) });
    const after = callRecords(2, { projectId });
    await spool.append(after);

    await batcher(intoStorage).replaySpool();
    expect(await storedSpanIds(projectId)).toEqual(after.map((record) => record.spanId).sort());
    const asides = readdirSync(deadLetters.directory);
    expect(asides.filter((name) => name.endsWith('segment-000000000001.log'))).toHaveLength(1);
    expect(asides.filter((name) => name.endsWith('.reason.txt'))).toHaveLength(1);
  });

  it('keeps a batch that failed for a transient reason in the spool, not in the dead letters', async () => {
    const projectId = nextProject();
    const spooled = callRecords(2, { projectId });
    await spool.append(spooled);
    const unreachable = () => Promise.reject(new CostscopeStorageError('calls.insert', 'unreachable', 'ECONNREFUSED'));
    const missingTable = () => Promise.reject(new CostscopeStorageError('calls.insert', 'query', 'Table does not exist', { clickhouseCode: 60 }));
    await expect(batcher(unreachable).replaySpool()).rejects.toThrow(/ECONNREFUSED/);
    await expect(batcher(missingTable).replaySpool()).rejects.toThrow(/does not exist/);
    expect(spool.isEmpty()).toBe(false);
    expect(() => readdirSync(deadLetters.directory)).toThrow(/ENOENT/);

    await batcher(intoStorage).replaySpool();
    expect(await storedSpanIds(projectId)).toEqual(spooled.map((record) => record.spanId).sort());
  });
});

/** What a hung insert costs a test; a healthy insert here takes tens of milliseconds. */
const HUNG_INSERT_TIMEOUT_MS = 2_000;

describe('a write that fails in odd ways', () => {
  // Each misbehaviour once, then a healthy storage: every call added is delivered, in order.
  const oddFailures: Array<[string, () => Promise<void>]> = [
    ['throws instead of rejecting', () => {
      throw new Error('synchronous throw');
    }],
    ['rejects with undefined', () => Promise.reject(undefined)],
    ['rejects with a string', () => Promise.reject('storage said no')],
    ['rejects with a plain object', () => Promise.reject({ code: 'EWEIRD' })],
    ['never answers', () => new Promise<void>(() => undefined)],
  ];

  it.each(oddFailures)('never wedges the batcher when the insert %s', async (_name, misbehave) => {
    const projectId = nextProject();
    let attempts = 0;
    const calls = batcher(
      async (records) => {
        attempts += 1;
        if (attempts === 1) return misbehave();
        await intoStorage(records);
      },
      // Long enough for a healthy insert on a busy machine; only the hung one should reach it.
      { insertTimeoutMs: HUNG_INSERT_TIMEOUT_MS },
    );
    const first = callRecords(2, { projectId });
    const firstAdded = calls.add(first);
    await calls.flush();
    // The failed batch was spooled and acknowledged; storage answers again and the spool drains.
    expect(await firstAdded).toBe('spooled');
    expect((await calls.replaySpool()).records).toBe(2);

    const later = [callRecords(2, { projectId }), callRecords(3, { projectId })];
    const laterAdded = later.map((records) => calls.add(records));
    await calls.flush();
    expect(await Promise.all(laterAdded)).toEqual(['inserted', 'inserted']);
    expect(await storedSpanIds(projectId)).toEqual([...first, ...later.flat()].map((record) => record.spanId).sort());
    expect(spool.isEmpty()).toBe(true);
    await calls.close();
  });

  it('while storage hangs, spools the next batches without waiting on storage again', async () => {
    const projectId = nextProject();
    let attempts = 0;
    const calls = batcher(
      async (records) => {
        attempts += 1;
        if (attempts === 1) return new Promise<void>(() => undefined);
        await intoStorage(records);
      },
      { insertTimeoutMs: HUNG_INSERT_TIMEOUT_MS },
    );
    const first = calls.add(callRecords(2, { projectId }));
    await calls.flush();
    expect(await first).toBe('spooled');
    const second = calls.add(callRecords(3, { projectId }));
    await calls.flush();
    expect(await second).toBe('spooled');
    // Only the hung insert reached storage: the second batch did not wait out another timeout.
    expect(attempts).toBe(1);

    expect((await calls.replaySpool()).records).toBe(5);
    const third = calls.add(callRecords(1, { projectId }));
    await calls.flush();
    expect(await third).toBe('inserted');
    expect(await storedSpanIds(projectId)).toHaveLength(6);
  });

  it('never wedges the batcher when the storage-error reporter itself throws', async () => {
    const projectId = nextProject();
    let attempts = 0;
    const calls = batcher(
      async (records) => {
        attempts += 1;
        if (attempts === 1) throw new Error('down');
        await intoStorage(records);
      },
      {
        onStorageError: () => {
          throw new Error('the logger broke');
        },
      },
    );
    const first = calls.add(callRecords(1, { projectId }));
    await calls.flush();
    expect(await first).toBe('spooled');
    const second = calls.add(callRecords(1, { projectId }));
    await calls.flush();
    expect(await second).toBe('inserted');
    expect(await storedSpanIds(projectId)).toHaveLength(2);
  });
});
