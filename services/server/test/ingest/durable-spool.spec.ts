import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { LlmCallRecord } from '@costscope/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableSpool } from '../../src/ingest/spool/durable-spool.js';
import { encodeFrame } from '../../src/ingest/spool/segment-frames.js';
import { SpoolFullError, SpoolLockedError } from '../../src/ingest/spool/spool-errors.js';
import { callRecord, callRecords } from './support/call-records.js';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'costscope-spool-'));
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const segments = () => readdirSync(join(dataDir, 'spool')).filter((name) => name.startsWith('segment-'));

async function drain(spool: DurableSpool) {
  const written: LlmCallRecord[][] = [];
  const result = await spool.replay(async (records) => {
    written.push(records);
  });
  return { written, result, rows: written.flat() };
}

describe(DurableSpool.name, () => {
  it('replays appended batches in order, exactly, and deletes what it wrote', async () => {
    const spool = await DurableSpool.open({ dataDir });
    const first = callRecords(3);
    const second = [callRecord({ totalCostUsd: 123_456_789_012_345_678_901_234_567n, time: new Date('2026-11-01T00:00:00.007Z') })];
    const third = callRecords(2, { maxTokens: 512, attributes: { a: '1', b: 'x' } });
    await spool.append(first);
    await spool.append(second);
    await spool.append(third);
    expect(spool.stats().bytes).toBeGreaterThan(0);

    const { rows, result } = await drain(spool);
    expect(rows).toEqual([...first, ...second, ...third]);
    expect(rows[3]?.totalCostUsd).toBe(123_456_789_012_345_678_901_234_567n);
    expect(result).toEqual({ segments: 1, records: 6, ignoredTailBytes: 0 });
    expect(segments()).toEqual([]);
    expect(spool.isEmpty()).toBe(true);
    await spool.close();
  });

  it('reads back from its file, exactly, a segment past the calls it keeps in memory', async () => {
    // 3 + 2 calls against a bound of 4: the segment is read back from disk, not from memory.
    const spool = await DurableSpool.open({ dataDir, memoryRows: 4 });
    const first = [callRecord({ totalCostUsd: 123_456_789_012_345_678_901_234_567n, time: new Date('2026-11-01T00:00:00.007Z') }), ...callRecords(2)];
    const second = callRecords(2, { maxTokens: 512, attributes: { a: '1', b: 'x' }, timeToFirstTokenMs: 40 });
    await spool.append(first);
    await spool.append(second);
    const appended = [...first, ...second];
    // What the spool holds in memory is the caller's objects; changing them now shows which copy is read.
    for (const record of appended) record.feature = 'changed after the append';

    const { rows, result } = await drain(spool);
    expect(rows.map((row) => row.feature)).not.toContain('changed after the append');
    expect(rows).toEqual(appended.map((record) => ({ ...record, feature: callRecord().feature })));
    expect(rows[0]?.totalCostUsd).toBe(123_456_789_012_345_678_901_234_567n);
    expect(result).toEqual({ segments: 1, records: 5, ignoredTailBytes: 0 });
    expect(segments()).toEqual([]);
    await spool.close();
  });

  it('reports its depth after every append and every drained segment, down to zero', async () => {
    const depths: number[] = [];
    const spool = await DurableSpool.open({ dataDir, onDepthChange: (bytes) => depths.push(bytes) });
    await spool.append(callRecords(2));
    await spool.append(callRecords(1));
    expect(depths).toHaveLength(2);
    expect(depths[1]).toBeGreaterThan(depths[0] ?? 0);
    expect(depths[1]).toBe(spool.stats().bytes);
    await drain(spool);
    expect(depths.at(-1)).toBe(0);
    await spool.close();
  });

  it('replays after a restart what the previous process acknowledged', async () => {
    const before = await DurableSpool.open({ dataDir, segmentBytes: 2000 });
    const acknowledged = callRecords(10);
    for (const record of acknowledged) await before.append([record]);
    expect(segments().length).toBeGreaterThan(1);
    // The process dies here: no close.

    const after = await DurableSpool.open({ dataDir, segmentBytes: 2000 });
    const late = callRecords(1);
    await after.append(late);
    const { rows } = await drain(after);
    expect(rows.map((r) => r.spanId)).toEqual([...acknowledged, ...late].map((r) => r.spanId));
    await after.close();
  });

  it('replays a segment an older version wrote (CSP1 frames, JSON calls) before the binary frames written now', async () => {
    mkdirSync(join(dataDir, 'spool'), { recursive: true });
    const old = [callRecord({ totalCostUsd: 123_456_789_012_345_678_901_234_567n, maxTokens: 512, attributes: { a: '1' } }), ...callRecords(2)];
    // Byte for byte what the JSON-framed spool wrote: money as atto-dollar digits, time as epoch ms.
    const payload = JSON.stringify(
      old.map((r) => ({
        ...r,
        time: r.time.getTime(),
        freshInputCostUsd: r.freshInputCostUsd.toString(),
        cacheReadCostUsd: r.cacheReadCostUsd.toString(),
        cacheWriteCostUsd: r.cacheWriteCostUsd.toString(),
        outputCostUsd: r.outputCostUsd.toString(),
        totalCostUsd: r.totalCostUsd.toString(),
      })),
    );
    writeFileSync(join(dataDir, 'spool', 'segment-000000000007.log'), `CSP1 ${Buffer.byteLength(payload)} ${crc32(payload).toString(16)}\n${payload}\n`);

    const spool = await DurableSpool.open({ dataDir });
    const now = callRecords(2);
    await spool.append(now);
    expect(readFileSync(join(dataDir, 'spool', 'segment-000000000008.log')).subarray(0, 5).toString()).toBe('CSP2 ');
    await spool.close();
    // Both read from their files by a new process.
    const restarted = await DurableSpool.open({ dataDir });
    const { rows, result } = await drain(restarted);
    expect(rows).toEqual([...old, ...now]);
    expect(result).toEqual({ segments: 2, records: 5, ignoredTailBytes: 0 });
    await restarted.close();
  });

  it('sets aside a segment whose binary frame passes its CRC but is not calls, and replays the ones behind it', async () => {
    mkdirSync(join(dataDir, 'spool'), { recursive: true });
    writeFileSync(join(dataDir, 'spool', 'segment-000000000001.log'), encodeFrame(Buffer.from('not calls at all'), 'binary'));
    const setAside: string[] = [];
    const spool = await DurableSpool.open({
      dataDir,
      setAsideSegment: async (path, reason) => {
        setAside.push(reason);
        renameSync(path, `${path}.aside`);
      },
    });
    const after = callRecords(2);
    await spool.append(after);
    const { rows } = await drain(spool);
    expect(rows.map((r) => r.spanId)).toEqual(after.map((r) => r.spanId));
    expect(setAside).toHaveLength(1);
    expect(setAside[0]).toMatch(/cannot be read back as calls: .*ends inside a call/);
    await spool.close();
  });

  it('ignores a torn last record from a crash mid-append and keeps everything before it', async () => {
    const spool = await DurableSpool.open({ dataDir });
    const kept = callRecords(4);
    await spool.append(kept.slice(0, 2));
    await spool.append(kept.slice(2));
    await spool.close();
    const [segment] = segments();
    // What a crash leaves: a frame header and half its payload.
    const torn = 'CSP1 5000 1a2b3c4d\n[{"projectId":"p-1","time":17';
    appendFileSync(join(dataDir, 'spool', segment ?? ''), torn);

    const restarted = await DurableSpool.open({ dataDir });
    await restarted.append(callRecords(1, { feature: 'after-restart' }));
    const { rows, result } = await drain(restarted);
    expect(rows.map((r) => r.spanId).slice(0, 4)).toEqual(kept.map((r) => r.spanId));
    expect(rows[4]?.feature).toBe('after-restart');
    expect(result.ignoredTailBytes).toBe(Buffer.byteLength(torn));
    await restarted.close();
  });

  it('ignores a last record whose bytes did not all reach the disk (bad checksum)', async () => {
    const spool = await DurableSpool.open({ dataDir });
    const kept = callRecords(1);
    await spool.append(kept);
    await spool.close();
    const path = join(dataDir, 'spool', segments()[0] ?? '');
    const payload = '[{"broken":true}]';
    appendFileSync(path, `CSP1 ${payload.length} deadbeef\n${payload}\n`);
    const restarted = await DurableSpool.open({ dataDir });
    const { rows } = await drain(restarted);
    expect(rows.map((r) => r.spanId)).toEqual(kept.map((r) => r.spanId));
    await restarted.close();
  });

  it('refuses a batch past its bound with SpoolFullError (503) and keeps what it has', async () => {
    const spool = await DurableSpool.open({ dataDir, maxBytes: 8 * 1024, retryAfterSeconds: 7 });
    const accepted: LlmCallRecord[] = [];
    let full: unknown;
    for (let i = 0; i < 100 && !full; i++) {
      const batch = callRecords(2);
      try {
        await spool.append(batch);
        accepted.push(...batch);
      } catch (error) {
        full = error;
      }
    }
    expect(full).toBeInstanceOf(SpoolFullError);
    expect(full).toMatchObject({ httpStatus: 503, retryAfterSeconds: 7 });
    expect(spool.stats().bytes).toBeLessThanOrEqual(8 * 1024);
    const { rows } = await drain(spool);
    expect(rows.map((r) => r.spanId)).toEqual(accepted.map((r) => r.spanId));
    // Drained, it takes batches again.
    await expect(spool.append(callRecords(2))).resolves.toBeUndefined();
    await spool.close();
  });

  it('keeps a segment whose write failed and replays it next time', async () => {
    const spool = await DurableSpool.open({ dataDir, segmentBytes: 500 });
    const all = callRecords(6);
    for (const record of all) await spool.append([record]);
    const segmentCount = segments().length;
    expect(segmentCount).toBeGreaterThan(2);

    let writes = 0;
    const delivered: string[] = [];
    await expect(
      spool.replay(async (records) => {
        writes += 1;
        if (writes === 2) throw new Error('storage went away');
        delivered.push(...records.map((r) => r.spanId));
      }),
    ).rejects.toThrow('storage went away');
    expect(segments().length).toBe(segmentCount - 1);

    const { rows } = await drain(spool);
    expect([...delivered, ...rows.map((r) => r.spanId)]).toEqual(all.map((r) => r.spanId));
    await spool.close();
  });

  it('refuses a data directory another live process owns', async () => {
    const directory = join(dataDir, 'spool');
    const spool = await DurableSpool.open({ dataDir });
    await spool.close();
    // The parent process (the test runner) is alive and is not us.
    writeFileSync(join(directory, 'LOCK'), String(process.ppid));
    await expect(DurableSpool.open({ dataDir })).rejects.toBeInstanceOf(SpoolLockedError);
    // A lock left by a process that is gone is taken over.
    writeFileSync(join(directory, 'LOCK'), '2147483646');
    await expect(DurableSpool.open({ dataDir })).resolves.toBeInstanceOf(DurableSpool);
  });
});
