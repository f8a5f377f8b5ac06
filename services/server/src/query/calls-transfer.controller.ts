import { Controller, Get, HttpCode, Inject, Logger, Post, Query, Req, Res, UnsupportedMediaTypeException, UseInterceptors } from '@nestjs/common';
import type { LlmCallRecord } from '@costscope/core';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import type { NormalizedCall } from '../ingest/normalize/normalized-call.js';
import { priceCalls } from '../ingest/pricing/price-calls.js';
import { ProjectPriceOverrides } from '../ingest/project-price-overrides.js';
import { planCallsExport, readCallsForExport } from '../storage/calls-export.js';
import { CostscopeStorageError } from '../storage/errors.js';
import { insertCalls } from '../storage/llm-calls.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { CallLineError, IMPORT_PRICINGS, callFromNdjson, callToNdjson, unpricedCallFromNdjson } from './call-ndjson.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';
import type { ImportCallsResponse } from './response-schemas.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * Calls per insert of an import: large enough that an insert's fixed cost (its payload file, its
 * parts) is spread thin, small enough to hold two batches in memory (one parsed while the other is
 * stored).
 */
const IMPORT_BATCH_CALLS = 20_000;
/** A stored call's line is a few hundred bytes; a longer one is not a call. */
const MAX_LINE_BYTES = 1024 * 1024;

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
/** The export's header with how many calls the range held when it began: a client's progress total. */
export const EXPORT_TOTAL_HEADER = 'x-costscope-calls-total';

const instant = z.iso.datetime({ offset: true }).or(z.iso.date());
export const exportParamsSchema = z
  .object({
    from: instant.optional().describe('Inclusive; default the oldest call the retention keeps'),
    to: instant.optional().describe('Exclusive; default an hour from now (spans may start up to an hour ahead)'),
  })
  .strict();

export const importParamsSchema = z
  .object({
    pricing: z
      .enum(IMPORT_PRICINGS)
      .default('given')
      .describe(
        '`given`: store each line’s costs and price version as they are; `catalog`: the server prices each call as the ingest prices a span (catalog and the project’s price overrides), and the cost fields may be left out',
      ),
  })
  .strict();

@Controller('api/v1/calls')
export class CallsTransferController {
  private readonly logger = new Logger('CallsTransfer');

  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(ProjectPriceOverrides) private readonly priceOverrides: ProjectPriceOverrides,
  ) {}

  /**
   * The project's stored calls in [from, to) as NDJSON, oldest first, streamed page by page: the
   * server never holds more than one page, and waits for the client to read each one.
   */
  @Get('export')
  @RequiresScope('read')
  @UseInterceptors(QueryCancellationInterceptor)
  async exportCalls(@ProjectId() projectId: string, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const params = parseBody(exportParamsSchema, query, 'query');
    const now = Date.now();
    const from = params.from ? new Date(params.from) : new Date(now - this.config.retentionDays * DAY_MS);
    const to = params.to ? new Date(params.to) : new Date(now + HOUR_MS);
    if (from.getTime() >= to.getTime()) throw new CostscopeBadRequestError('query.from', 'must be before to');
    const input = { projectId, from, to };
    const plan = await planCallsExport(this.transport, input);

    response.status(200);
    response.setHeader('content-type', `${NDJSON_CONTENT_TYPE}; charset=utf-8`);
    response.setHeader(EXPORT_TOTAL_HEADER, String(plan.callsTotal));
    response.flushHeaders();
    try {
      for await (const page of readCallsForExport(this.transport, input, plan)) {
        let chunk = '';
        for (const call of page) chunk += `${callToNdjson(call)}\n`;
        if (!response.write(chunk)) await drained(response);
      }
      response.end();
    } catch (error) {
      // The status is sent: the only way left to say "incomplete" is to break the connection, so
      // the client sees an error rather than a file that looks whole.
      if (!(CostscopeStorageError.isInstance(error) && error.kind === 'cancelled') && !response.destroyed) {
        this.logger.warn(`export of project ${projectId} stopped: ${error instanceof Error ? error.message : String(error)}`);
      }
      response.destroy();
    }
  }

  /**
   * Stores NDJSON calls (the export's lines) in the key's project through the same exactly-once
   * insert as the ingest: a call already stored is not stored again, so importing a file twice,
   * or a file that overlaps what is stored, counts each call once. Costs are stored as given,
   * with their price version, or with `pricing=catalog` priced here by the ingest's own pricing
   * and the overrides it would use. The body is read as it arrives, a batch at a time. A bad line
   * stops the import there with a 400 naming it; the calls before it stay stored.
   */
  @Post('import')
  @RequiresScope('admin')
  @HttpCode(200)
  async importCalls(@ProjectId() projectId: string, @Query() query: Record<string, unknown>, @Req() request: Request): Promise<ImportCallsResponse> {
    const { pricing } = parseBody(importParamsSchema, query, 'query');
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== NDJSON_CONTENT_TYPE) {
      throw new UnsupportedMediaTypeException(`Send the calls as ${NDJSON_CONTENT_TYPE}, one call per line (the lines of GET /api/v1/calls/export)`);
    }
    let outcome: ImportOutcome;
    try {
      outcome =
        pricing === 'catalog'
          ? await this.storeLines(projectId, request, this.pricedHere(projectId))
          : await this.storeLines(projectId, request, { read: (text) => callFromNdjson(text, projectId), records: (calls) => calls });
    } finally {
      // Read the rest so the client, still sending, gets the answer rather than a broken pipe.
      request.resume();
      if (!request.readableEnded) await new Promise((done) => request.once('end', done).once('close', done));
    }
    const { answer, badLine } = outcome;
    if (badLine) {
      throw new CostscopeBadRequestError(
        `line ${badLine.line}`,
        `${badLine.reason}. The ${answer.calls} calls before it are stored; fix the line and import the file again (calls already stored are not stored twice)`,
      );
    }
    return answer;
  }

  /**
   * `pricing=catalog`: lines read as the ingest's normalized calls and priced a batch at a time by
   * the ingest's `priceCalls`, with the overrides the ingest would use for this project (asked
   * per batch, so an override saved during a long import applies as it does to the ingest).
   */
  private pricedHere(projectId: string): ImportLines<NormalizedCall> {
    return {
      read: unpricedCallFromNdjson,
      records: async (calls) => priceCalls(calls, { projectId, overrides: await this.priceOverrides.forProject(projectId) }).records,
    };
  }

  /** Stores the body's calls a batch at a time, up to the end or the first bad line. */
  private async storeLines<Call extends { time: Date }>(projectId: string, request: Request, lines: ImportLines<Call>): Promise<ImportOutcome> {
    const oldestKept = Date.now() - this.config.retentionDays * DAY_MS;
    const latestAccepted = Date.now() + HOUR_MS;
    const answer: ImportCallsResponse = { lines: 0, calls: 0, olderThanRetention: 0 };
    let batch: Call[] = [];
    // One batch is stored while the next is parsed; a failed insert surfaces at the next flush.
    let storing: Promise<void> | undefined;
    const flush = async () => {
      if (storing) await storing;
      storing = undefined;
      if (batch.length === 0) return;
      const calls = batch;
      batch = [];
      storing = Promise.resolve(lines.records(calls))
        .then((records) => insertCalls(this.transport, records))
        .then(() => {
          answer.calls += calls.length;
        });
      // Awaited at the next flush or by `settle`; this only keeps Node from calling it unhandled meanwhile.
      storing.catch(() => undefined);
    };
    /** Stores what is parsed and waits for it: the answer then counts every call stored. */
    const settle = async () => {
      await flush();
      await flush();
    };
    let lineNumber = 0;
    for await (const line of ndjsonLines(request)) {
      lineNumber += 1;
      const bad = (reason: string) => ({ answer, badLine: { line: lineNumber, reason } });
      if (line.tooLong) {
        await settle();
        return bad(`longer than ${MAX_LINE_BYTES} bytes: not a call`);
      }
      if (line.text.trim() === '') continue;
      let call: Call;
      try {
        call = lines.read(line.text);
      } catch (error) {
        if (!(error instanceof CallLineError)) throw error;
        await settle();
        return bad(error.message);
      }
      if (call.time.getTime() > latestAccepted) {
        await settle();
        return bad(`time ${call.time.toISOString()} is more than an hour ahead of this server's clock`);
      }
      answer.lines += 1;
      if (call.time.getTime() < oldestKept) {
        // Storing it would only have the retention drop it again.
        answer.olderThanRetention += 1;
        continue;
      }
      batch.push(call);
      if (batch.length >= IMPORT_BATCH_CALLS) await flush();
    }
    await settle();
    return { answer };
  }
}

/** How an import reads its lines and turns a batch of them into the records storage takes. */
type ImportLines<Call> = { read: (text: string) => Call; records: (calls: Call[]) => LlmCallRecord[] | Promise<LlmCallRecord[]> };

type ImportOutcome = { answer: ImportCallsResponse; badLine?: { line: number; reason: string } };

/** Resolves when the response can take more, or when its client has gone (the next write then fails). */
function drained(response: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

/**
 * The request body's lines as they arrive, without holding more than one line: a line over the
 * limit is reported (`tooLong`) instead of being collected.
 */
async function* ndjsonLines(request: Request): AsyncGenerator<{ text: string; tooLong: boolean }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Leaving the loop early must not destroy the request: the answer still goes out on its socket.
  for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      pendingBytes += newline - start;
      if (pendingBytes > MAX_LINE_BYTES) {
        yield { text: '', tooLong: true };
        return;
      }
      // Most lines lie within one chunk: decoded straight from it, without a copy.
      const text = pending.length === 0 ? chunk.toString('utf8', start, newline) : Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8');
      yield { text: text.endsWith('\r') ? text.slice(0, -1) : text, tooLong: false };
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    if (pendingBytes > MAX_LINE_BYTES) {
      yield { text: '', tooLong: true };
      return;
    }
    if (rest.length > 0) pending.push(rest);
  }
  if (pendingBytes > 0) yield { text: Buffer.concat(pending).toString('utf8').replace(/\r$/, ''), tooLong: false };
}
