import { Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, UseInterceptors } from '@nestjs/common';
import { z } from 'zod';
import { ProjectId } from '../http/project-request.js';
import { QueryCancellationInterceptor } from '../query/query-cancellation.interceptor.js';
import { parseBody } from '../http/parse-body.js';
import type {
  createdKeyResponseSchema,
  keyJsonSchema,
  keyListResponseSchema,
  revokedKeyResponseSchema,
} from '../query/response-schemas.js';
import { createApiKey, generateApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from '../storage/api-keys.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { DEFAULT_NEW_KEY_SCOPE, keyScopeSchema } from './key-scope.js';
import { ProjectKeyResolver } from './project-key-resolver.js';
import { RequiresScope } from './requires-scope.js';

export const createKeyBodySchema = z
  .object({ name: z.string().trim().min(1).max(100), scope: keyScopeSchema.default(DEFAULT_NEW_KEY_SCOPE) })
  .strict();

function keyJson(record: ApiKeyRecord): z.output<typeof keyJsonSchema> {
  return {
    keyId: record.keyId,
    name: record.name,
    keyPrefix: record.keyPrefix,
    scope: record.scope,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}

/**
 * `costscope keys create|list|revoke` and the dashboard's settings talk to these: a key manages
 * its own project's keys only, and only an `admin` key may create or revoke one. Mounted only in
 * processes with the `api` role.
 */
@Controller('api/v1/keys')
@RequiresScope('admin')
@UseInterceptors(QueryCancellationInterceptor)
export class KeysController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(ProjectKeyResolver) private readonly resolver: ProjectKeyResolver,
  ) {}

  /** Names, prefixes and scopes, never the keys: a `read` key may list them like every GET. */
  @Get()
  @RequiresScope('read')
  async list(@ProjectId() projectId: string): Promise<z.output<typeof keyListResponseSchema>> {
    return { keys: (await listApiKeys(this.transport, { projectId })).map(keyJson) };
  }

  /** The only answer that ever contains the key itself. */
  @Post()
  async create(@ProjectId() projectId: string, @Body() body: unknown): Promise<z.output<typeof createdKeyResponseSchema>> {
    const { name, scope } = parseBody(createKeyBodySchema, body);
    const key = generateApiKey();
    const record = await createApiKey(this.transport, { projectId, key, name, scope });
    await this.resolver.keysChanged();
    return { ...keyJson(record), key };
  }

  @Delete(':keyId')
  @HttpCode(200)
  async revoke(@ProjectId() projectId: string, @Param('keyId') keyId: string): Promise<z.output<typeof revokedKeyResponseSchema>> {
    const revoked = await revokeApiKey(this.transport, { projectId, keyId });
    if (!revoked) throw new NotFoundException(`No active key ${keyId} in this project`);
    await this.resolver.keysChanged();
    return { keyId, revoked: true };
  }
}
