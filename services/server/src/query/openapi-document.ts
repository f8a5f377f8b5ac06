import { z } from 'zod';
import { testSendSchema } from '../alerts/channel-test.controller.js';
import { createKeyBodySchema } from '../auth/keys.controller.js';
import type { RouteAccess } from '../auth/requires-scope.js';
import { SETTING_KINDS } from '../storage/settings.js';
import { alertParamsSchema } from './alerts.controller.js';
import { exportedCallSchema } from './call-ndjson.js';
import { exportParamsSchema, importParamsSchema } from './calls-transfer.controller.js';
import { costQueryParamsSchema } from './cost-query-params.js';
import { insightsParamsSchema } from './insights.controller.js';
import { pricesParamsSchema, repriceBodySchema, repriceJobParamsSchema } from './prices.controller.js';
import { weeklyParamsSchema } from './reports.controller.js';
import {
  alertWithDeliveriesSchema,
  alertsResponseSchema,
  channelTestResponseSchema,
  costsResponseSchema,
  createdKeyResponseSchema,
  errorResponseSchema,
  importCallsResponseSchema,
  insightsResponseSchema,
  keyListResponseSchema,
  pricesResponseSchema,
  projectResponseSchema,
  budgetStateResponseSchema,
  readinessQuerySchema,
  readinessResponseSchema,
  repriceJobResponseSchema,
  revokedKeyResponseSchema,
  settingResponseSchema,
  weeklyReportResponseSchema,
  whatIfResponseSchema,
} from './response-schemas.js';
import { SETTINGS } from './settings.controller.js';
import { whatIfParamsSchema } from './what-if.controller.js';

type JsonSchema = Record<string, unknown>;
type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/**
 * One route of the server as the document describes it. Every schema here is the one the route's
 * handler validates with or declares its answer as, so the document cannot drift from the code;
 * `test/api/openapi-routes.spec.ts` checks that the list matches the routes Nest really mounts.
 */
export type ApiOperation = {
  method: HttpMethod;
  /** OpenAPI form: `/api/v1/alerts/{episodeId}`. */
  path: string;
  access: RouteAccess;
  summary: string;
  query?: z.ZodObject;
  /** Path parameters with an example value (used by the scope test to call the route). */
  pathParams?: Record<string, { schema: z.ZodType; example: string }>;
  body?: z.ZodType;
  /** The JSON answer of a success; absent for answers that are not JSON of ours (OTLP, metrics). */
  response?: z.ZodType;
  successStatus?: number;
  successDescription?: string;
  /** Statuses beyond the ones every operation of its kind has. */
  otherStatuses?: Record<string, string>;
  requestContent?: string[];
  /** An NDJSON body instead of a JSON one: the schema of each line. */
  requestLine?: z.ZodType;
  /** An NDJSON answer instead of a JSON one: the schema of each line. */
  responseLine?: z.ZodType;
};

const settingOperations: ApiOperation[] = SETTING_KINDS.flatMap((kind): ApiOperation[] => [
  {
    method: 'get',
    path: `/api/v1/settings/${kind}`,
    access: 'read',
    summary: `This project's ${kind} setting (defaults before the first save${kind === 'channels' ? '; secrets masked' : ''})`,
    response: settingResponseSchema(SETTINGS[kind].schema),
  },
  {
    method: 'put',
    path: `/api/v1/settings/${kind}`,
    access: 'admin',
    summary: `Replace the ${kind} setting (validated; older versions kept)`,
    body: SETTINGS[kind].schema,
    response: settingResponseSchema(SETTINGS[kind].schema),
  },
]);

/** Every route the server mounts (all roles), with the key scope it needs. */
export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/traces',
    access: 'ingest',
    summary: 'OTLP/HTTP traces (protobuf or JSON, optional gzip). 200 only once the spans are durable.',
    requestContent: ['application/x-protobuf', 'application/json'],
    successDescription: 'ExportTraceServiceResponse; `partialSuccess` lists spans refused and why.',
    otherStatuses: {
      '400': 'Undecodable body; a google.rpc.Status says what was wrong.',
      '413': 'Over 20 MiB after decompression.',
      '415': 'Not application/x-protobuf or application/json.',
      '429': 'Too many concurrent exports; retry after `Retry-After`.',
      '503': 'Neither storage nor the local spool could take the spans; retry after `Retry-After`.',
    },
  },
  {
    method: 'get',
    path: '/api/v1/project',
    access: 'read',
    summary: 'The key’s project and the time zone its days, weeks and months are cut in',
    response: projectResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/budget-state',
    access: 'ingest',
    summary: 'Month-to-date spend against each feature’s monthly allocation and the project’s monthly budget, and whether each is spent: what the SDK’s load shedding reads',
    response: budgetStateResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/costs',
    access: 'read',
    summary: 'Cost, requests, errors and tokens, grouped and optionally bucketed by hour, day or week',
    query: costQueryParamsSchema,
    response: costsResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/alerts',
    access: 'read',
    summary: 'Alert episodes (firing or resolved), newest first, with their deliveries',
    query: alertParamsSchema,
    response: alertsResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/alerts/{episodeId}',
    access: 'read',
    summary: 'One alert episode with its deliveries (the link every alert message carries)',
    pathParams: { episodeId: { schema: z.string(), example: 'no-such-episode' } },
    response: alertWithDeliveriesSchema,
    otherStatuses: { '404': 'No such episode in this project.' },
  },
  {
    method: 'get',
    path: '/api/v1/reports/weekly',
    access: 'read',
    summary: 'The weekly cost review: per-feature cost this week vs last, top movers, alerts',
    query: weeklyParamsSchema,
    response: weeklyReportResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/prices',
    access: 'read',
    summary: 'The effective price catalog (catalog + this project’s overrides) and the models no price applied to',
    query: pricesParamsSchema,
    response: pricesResponseSchema,
  },
  {
    method: 'post',
    path: '/api/v1/prices/reprice',
    access: 'admin',
    summary:
      'Queue a re-price of the calls stored in [from, to) (whole hours, within the raw retention, at most 366 days) at the prices in force now; answers the job and its Location',
    body: repriceBodySchema,
    response: repriceJobResponseSchema,
    successStatus: 202,
    successDescription: 'Queued; `Location` names the job',
    otherStatuses: { '409': 'A re-pricing job of this project is still running; `jobId` and `location` name it.' },
  },
  {
    method: 'get',
    path: '/api/v1/prices/reprice/{jobId}',
    access: 'read',
    summary: 'A re-pricing job’s progress: state, hours and calls done of the total, the reason it failed',
    pathParams: { jobId: { schema: repriceJobParamsSchema.shape.jobId, example: '00000000-0000-4000-8000-000000000000' } },
    response: repriceJobResponseSchema,
    otherStatuses: { '404': 'No re-pricing job with this id in this project.' },
  },
  {
    method: 'get',
    path: '/api/v1/whatif',
    access: 'read',
    summary: 'What a feature’s calls (default: the last 30 days) would have cost on another model, from their real tokens; 400 for a model with no price',
    query: whatIfParamsSchema,
    response: whatIfResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/insights',
    access: 'read',
    summary:
      'Savings insights of [from, to) (default: the last 30 days) by the article’s strategies, each with its evidence, monthly saving, confidence and caveat, and the projection applying them in order',
    query: insightsParamsSchema,
    response: insightsResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/calls/export',
    access: 'read',
    summary: 'The stored calls of [from, to) as NDJSON, oldest first, streamed; `x-costscope-calls-total` says how many the range held at the start',
    query: exportParamsSchema,
    responseLine: exportedCallSchema,
    successDescription: 'One call per line; a connection that breaks before the end means the export is incomplete',
  },
  {
    method: 'post',
    path: '/api/v1/calls/import',
    access: 'admin',
    summary:
      'Store NDJSON calls (the export’s lines) in this project, exactly once, with their costs and price versions as given, or with `pricing=catalog` priced by the server as it prices a span (the cost fields may then be left out; a `reported` cost is kept); a bad line stops the import with a 400 naming it, the calls before it stay stored',
    query: importParamsSchema,
    requestLine: exportedCallSchema,
    response: importCallsResponseSchema,
    otherStatuses: { '415': 'The body is not application/x-ndjson.' },
  },
  ...settingOperations,
  {
    method: 'post',
    path: '/api/v1/settings/channels/test',
    access: 'admin',
    summary: 'Send a test message through one of the project’s channels and answer the outcome',
    body: testSendSchema,
    response: channelTestResponseSchema,
  },
  {
    method: 'get',
    path: '/api/v1/keys',
    access: 'read',
    summary: 'This project’s API keys: names, prefixes, scopes, never the keys',
    response: keyListResponseSchema,
  },
  {
    method: 'post',
    path: '/api/v1/keys',
    access: 'admin',
    summary: 'Create a key (scope `ingest` unless given); the answer is the only time the key is shown',
    body: createKeyBodySchema,
    response: createdKeyResponseSchema,
  },
  {
    method: 'delete',
    path: '/api/v1/keys/{keyId}',
    access: 'admin',
    summary: 'Revoke a key of this project',
    pathParams: { keyId: { schema: z.string(), example: 'no-such-key' } },
    response: revokedKeyResponseSchema,
    otherStatuses: { '404': 'No active key with this id in this project.' },
  },
  { method: 'get', path: '/api/docs', access: 'public', summary: 'This OpenAPI description', successDescription: 'OpenAPI 3.1 JSON' },
  { method: 'get', path: '/healthz', access: 'public', summary: 'Liveness', successDescription: 'Serving HTTP' },
  {
    method: 'get',
    path: '/readyz',
    access: 'public',
    summary: 'Readiness of this process for its roles',
    query: readinessQuerySchema,
    response: readinessResponseSchema,
    successDescription: 'Ready',
    otherStatuses: { '503': 'Not ready; each check’s `reason` says what is wrong', '400': 'A role this process does not serve' },
  },
  { method: 'get', path: '/metrics', access: 'public', summary: 'Prometheus metrics', successDescription: 'text/plain' },
];

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } });
const errorContent = jsonContent(schemaOf(errorResponseSchema, 'output'));
/** Newline-delimited JSON: the schema is that of each line. */
const ndjsonContent = (schema: JsonSchema) => ({ 'application/x-ndjson': { schema } });

function operationJson(operation: ApiOperation): Record<string, unknown> {
  const parameters = [
    ...Object.entries(operation.pathParams ?? {}).map(([name, { schema, example }]) => ({
      name,
      in: 'path',
      required: true,
      schema: schemaOf(schema, 'input'),
      example,
    })),
    ...Object.entries((operation.query ? (schemaOf(operation.query, 'input').properties ?? {}) : {}) as Record<string, JsonSchema>).map(
      ([name, schema]) => ({ name, in: 'query', required: false, schema }),
    ),
  ];
  const success = String(operation.successStatus ?? 200);
  const responses: Record<string, unknown> = {
    [success]: {
      description: operation.successDescription ?? 'OK',
      ...(operation.response ? { content: jsonContent(schemaOf(operation.response, 'output')) } : {}),
      ...(operation.responseLine ? { content: ndjsonContent(schemaOf(operation.responseLine, 'output')) } : {}),
    },
  };
  if (operation.access !== 'public') {
    if (operation.body || operation.query || operation.pathParams || operation.requestLine) {
      responses['400'] = { description: 'A parameter or body field is invalid; `parameter` names it.', content: errorContent };
    }
    responses['401'] = { description: 'Missing, unknown or revoked project key.', content: errorContent };
    responses['403'] = { description: `The key's scope is below \`${operation.access}\`.`, content: errorContent };
    responses['429'] = {
      description: operation.path.startsWith('/api/')
        ? 'Over the key’s API rate limit, or too many wrong keys from this address; retry after `Retry-After`.'
        : 'Too many wrong keys from this address; retry after `Retry-After`.',
      content: errorContent,
    };
    responses['503'] = { description: 'Storage is unavailable; retry after `Retry-After` seconds.', content: errorContent };
  }
  for (const [status, description] of Object.entries(operation.otherStatuses ?? {})) responses[status] = { description };

  const requestBody = operation.body
    ? { required: true, content: jsonContent(schemaOf(operation.body, 'input')) }
    : operation.requestLine
      ? { required: true, content: ndjsonContent(schemaOf(operation.requestLine, 'input')) }
      : operation.requestContent
        ? { required: true, content: Object.fromEntries(operation.requestContent.map((type) => [type, {}])) }
        : undefined;
  return {
    summary: operation.summary,
    'x-costscope-scope': operation.access,
    security: operation.access === 'public' ? [] : [{ projectKey: [operation.access] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 description of every route of the server, served at `/api/docs`. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of API_OPERATIONS) {
    paths[operation.path] = { ...paths[operation.path], [operation.method]: operationJson(operation) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Costscope API',
      version: '1',
      description: [
        'Every /api/v1 and /v1 route needs `Authorization: Bearer <project key>`; the key picks the project.',
        'Each operation names the key scope it needs in `x-costscope-scope` (and in its security requirement):',
        '`ingest` only sends spans, `read` also reads every GET, `admin` may do everything.',
        'A missing, unknown or revoked key is 401; a key whose scope is too low is 403.',
        'Money is always an exact decimal string.',
      ].join(' '),
    },
    components: {
      securitySchemes: {
        projectKey: { type: 'http', scheme: 'bearer', description: 'A project key; its scope is one of ingest, read, admin.' },
      },
    },
    security: [{ projectKey: [] }],
    paths,
  };
}
