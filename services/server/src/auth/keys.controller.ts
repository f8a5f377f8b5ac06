import { Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ProjectId } from '../http/project-request.js';
import { parseBody } from '../http/parse-body.js';
import { createApiKey, generateApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from '../storage/api-keys.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { ProjectKeyGuard } from './project-key.guard.js';
import { ProjectKeyResolver } from './project-key-resolver.js';

const createKeySchema = z.object({ name: z.string().trim().min(1).max(100) }).strict();

function describeKey(record: ApiKeyRecord) {
  return {
    keyId: record.keyId,
    name: record.name,
    keyPrefix: record.keyPrefix,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}

/** `costscope keys create|list|revoke` talks to these: a key manages its own project's keys only. */
@Controller('api/v1/keys')
@UseGuards(ProjectKeyGuard)
export class KeysController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(ProjectKeyResolver) private readonly resolver: ProjectKeyResolver,
  ) {}

  @Get()
  async list(@ProjectId() projectId: string) {
    return { keys: (await listApiKeys(this.transport, { projectId })).map(describeKey) };
  }

  /** The only answer that ever contains the key itself. */
  @Post()
  async create(@ProjectId() projectId: string, @Body() body: unknown) {
    const { name } = parseBody(createKeySchema, body);
    const key = generateApiKey();
    const record = await createApiKey(this.transport, { projectId, key, name });
    return { ...describeKey(record), key };
  }

  @Delete(':keyId')
  @HttpCode(200)
  async revoke(@ProjectId() projectId: string, @Param('keyId') keyId: string) {
    const revoked = await revokeApiKey(this.transport, { projectId, keyId });
    if (!revoked) throw new NotFoundException(`No active key ${keyId} in this project`);
    this.resolver.invalidate();
    return { keyId, revoked: true };
  }
}
