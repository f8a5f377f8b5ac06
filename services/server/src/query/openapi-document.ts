import { alertRulesSchema, featureAllocationsSchema, priceOverrideSchema } from '@costscope/core';
import { z } from 'zod';
import { channelSettingsSchema } from '../alerts/channels/channel-settings.js';
import { costQueryParamsSchema } from './cost-query-params.js';

type JsonSchema = Record<string, unknown>;

/** Request shapes come from the same zod schemas that validate them, so the docs cannot drift. */
function schemaOf(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function queryParameters(schema: z.ZodObject): Array<Record<string, unknown>> {
  const properties = (schemaOf(schema).properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: false, schema: property }));
}

const money = { type: 'string', description: 'Exact USD as a decimal string (JSON numbers would round): "362.50", "0.005772".', example: '362.50' };
const figures = {
  type: 'object',
  properties: {
    costUsd: money,
    requests: { type: 'integer' },
    errors: { type: 'integer' },
    inputTokens: { type: 'integer' },
    cachedInputTokens: { type: 'integer' },
    outputTokens: { type: 'integer' },
    unpricedRequests: { type: 'integer', description: 'Calls of a model no price applied to: costUsd is then a floor, not the bill.' },
    costPerSuccessUsd: { ...money, nullable: true },
  },
};
const errorBody = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, parameter: { type: 'string' }, message: { type: 'string' } },
};
const responses = (ok: Record<string, unknown>, description = 'OK') => ({
  '200': { description, content: { 'application/json': { schema: ok } } },
  '400': { description: 'A parameter or body field is invalid; `parameter` names it.', content: { 'application/json': { schema: errorBody } } },
  '401': { description: 'Missing, unknown or revoked project key.' },
  '503': { description: 'Storage is unavailable; retry after `Retry-After` seconds.' },
});

const SETTINGS = {
  allocations: featureAllocationsSchema,
  rules: alertRulesSchema,
  channels: channelSettingsSchema,
  prices: z.array(priceOverrideSchema),
};

/** The OpenAPI 3.1 description of the server's public routes, served at `/api/docs`. */
export function openApiDocument(): Record<string, unknown> {
  const settingsPaths = Object.fromEntries(
    Object.entries(SETTINGS).map(([kind, schema]) => [
      `/api/v1/settings/${kind}`,
      {
        get: { summary: `This project's ${kind} setting (defaults before the first save; channel secrets masked)`, responses: responses({ type: 'object' }) },
        put: {
          summary: `Replace the ${kind} setting (validated; older versions kept)`,
          requestBody: { required: true, content: { 'application/json': { schema: schemaOf(schema) } } },
          responses: responses({ type: 'object' }),
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Costscope API',
      version: '1',
      description:
        'Every /api and /v1 route needs `Authorization: Bearer <project key>`; the key picks the project. Money is always an exact decimal string.',
    },
    components: { securitySchemes: { projectKey: { type: 'http', scheme: 'bearer' } } },
    security: [{ projectKey: [] }],
    paths: {
      '/v1/traces': {
        post: {
          summary: 'OTLP/HTTP traces (protobuf or JSON, optional gzip). 200 only once the spans are durable.',
          requestBody: {
            required: true,
            content: { 'application/x-protobuf': {}, 'application/json': {} },
          },
          responses: {
            '200': { description: 'ExportTraceServiceResponse; `partialSuccess` lists spans refused and why.' },
            '400': { description: 'Undecodable body; a google.rpc.Status says what was wrong.' },
            '401': { description: 'Missing or unknown key.' },
            '413': { description: 'Over 20 MiB after decompression.' },
            '415': { description: 'Not application/x-protobuf or application/json.' },
            '429': { description: 'Too many concurrent exports; retry after `Retry-After`.' },
            '503': { description: 'Neither storage nor the local spool could take the spans; retry after `Retry-After`.' },
          },
        },
      },
      '/api/v1/costs': {
        get: {
          summary: 'Cost, requests, errors and tokens, grouped and optionally bucketed by hour, day or week',
          parameters: queryParameters(costQueryParamsSchema),
          responses: responses({
            type: 'object',
            properties: {
              rows: { type: 'array', items: { ...figures, description: 'Group keys (and `bucket`) plus the figures.' } },
              totals: figures,
              source: { enum: ['raw', 'rollup'] },
              truncated: { type: 'boolean' },
            },
          }),
        },
      },
      '/api/v1/project': {
        get: {
          summary: 'The key’s project and the time zone its days, weeks and months are cut in',
          responses: responses({
            type: 'object',
            properties: { projectId: { type: 'string' }, timezone: { type: 'string' }, retentionDays: { type: 'integer' } },
          }),
        },
      },
      '/api/v1/alerts': {
        get: { summary: 'Alert episodes (firing or resolved) with their deliveries', responses: responses({ type: 'object' }) },
      },
      '/api/v1/alerts/{episodeId}': {
        get: {
          summary: 'One alert episode with its deliveries (the link every alert message carries)',
          parameters: [{ name: 'episodeId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { ...responses({ type: 'object' }), '404': { description: 'No such episode in this project.' } },
        },
      },
      '/api/v1/reports/weekly': {
        get: {
          summary: 'The weekly cost review: per-feature cost this week vs last, top movers, alerts',
          parameters: [{ name: 'week', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d{4}-W\\d{2}$' } }],
          responses: responses({ type: 'object' }),
        },
      },
      '/api/v1/prices': {
        get: {
          summary: 'The effective price catalog: the catalog with this project’s overrides',
          parameters: [{ name: 'at', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } }],
          responses: responses({ type: 'object' }),
        },
      },
      '/api/v1/prices/reprice': {
        post: {
          summary: 'Apply the prices in force now to calls already stored in [from, to) (whole hours, within the raw retention)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } }, required: ['from', 'to'] } } },
          },
          responses: responses({ type: 'object', properties: { examined: { type: 'integer' }, changed: { type: 'integer' }, unpricedModels: { type: 'array', items: { type: 'string' } } } }),
        },
      },
      ...settingsPaths,
      '/api/v1/keys': {
        get: { summary: 'This project’s API keys (never the keys themselves)', responses: responses({ type: 'object' }) },
        post: {
          summary: 'Create a key; the answer is the only time it is shown',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } } },
          responses: responses({ type: 'object' }),
        },
      },
      '/api/v1/keys/{keyId}': {
        delete: {
          summary: 'Revoke a key of this project',
          parameters: [{ name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: responses({ type: 'object' }),
        },
      },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Serving HTTP' } } } },
      '/readyz': { get: { summary: 'Readiness: storage reachable', security: [], responses: { '200': { description: 'Ready' }, '503': { description: 'Storage unreachable' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text/plain' } } } },
    },
  };
}
