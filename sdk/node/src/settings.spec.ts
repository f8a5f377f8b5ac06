import { describe, expect, it } from 'vitest';
import { CostscopeError } from '@costscope/core';
import { CostscopeConfigError } from './errors.js';
import { resolveSettings } from './settings.js';

describe(resolveSettings.name, () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(resolveSettings({}, {})).toEqual({
      endpoint: 'http://localhost:4318',
      tracesUrl: 'http://localhost:4318/v1/traces',
      apiKey: undefined,
      serviceName: undefined,
      defaults: {},
      guards: {},
      dailyRequestsByTier: undefined,
      loadShedding: undefined,
      captureContent: false,
      maxQueueSize: 2048,
      flushOnExit: true,
    });
  });

  it('reads COSTSCOPE_ENDPOINT, COSTSCOPE_API_KEY, OTEL_SERVICE_NAME and the guard variables', () => {
    const settings = resolveSettings(
      {},
      {
        COSTSCOPE_ENDPOINT: 'https://costscope.example.com/',
        COSTSCOPE_API_KEY: 'cs_env',
        OTEL_SERVICE_NAME: 'support-bot',
        COSTSCOPE_MAX_INPUT_TOKENS: '8000',
        COSTSCOPE_DEFAULT_MAX_TOKENS: '512',
        COSTSCOPE_CAPTURE_CONTENT: 'true',
      },
    );
    expect(settings).toMatchObject({
      tracesUrl: 'https://costscope.example.com/v1/traces',
      apiKey: 'cs_env',
      serviceName: 'support-bot',
      guards: { maxInputTokens: 8000, defaultMaxTokens: 512 },
      captureContent: true,
    });
  });

  it('lets an option win over its environment variable', () => {
    const settings = resolveSettings(
      { endpoint: 'http://127.0.0.1:9999', apiKey: 'cs_option', guards: { maxInputTokens: 100 }, captureContent: false },
      { COSTSCOPE_ENDPOINT: 'http://elsewhere:4318', COSTSCOPE_API_KEY: 'cs_env', COSTSCOPE_MAX_INPUT_TOKENS: '5', COSTSCOPE_CAPTURE_CONTENT: 'true' },
    );
    expect(settings).toMatchObject({
      tracesUrl: 'http://127.0.0.1:9999/v1/traces',
      apiKey: 'cs_option',
      guards: { maxInputTokens: 100 },
      captureContent: false,
    });
  });

  it('takes the article\'s daily limits by tier and the load-shedding defaults, merged with what the app sets', () => {
    expect(resolveSettings({ guards: { dailyRequestsPerUser: true, loadShedding: true } }, {})).toMatchObject({
      dailyRequestsByTier: { free: 50, paid: 500, enterprise: null },
      loadShedding: { serverUrl: 'http://localhost:4318', refreshIntervalMs: 60_000, whenUnreachable: 'allow', importantRetryDelayMs: 30_000, importantRetries: 3 },
    });
    const custom = resolveSettings(
      { guards: { dailyRequestsPerUser: { free: 20, enterprise: 10_000, pro: null }, loadShedding: { whenUnreachable: 'deny', importantRetries: 0 } } },
      {},
    );
    expect(custom.dailyRequestsByTier).toEqual({ free: 20, paid: 500, enterprise: 10_000, pro: null });
    expect(custom.loadShedding).toMatchObject({ whenUnreachable: 'deny', importantRetries: 0 });
    expect(() => resolveSettings({ guards: { dailyRequestsPerUser: { free: -1 } } }, {})).toThrow(
      new CostscopeConfigError('guards.dailyRequestsPerUser.free (option) must be a whole number >= 0 or null, got -1'),
    );
    expect(() => resolveSettings({ guards: { loadShedding: { whenUnreachable: 'maybe' as 'deny' } } }, {})).toThrow(CostscopeConfigError);
  });

  it('keeps a full OTLP traces URL as written', () => {
    expect(resolveSettings({ endpoint: 'http://collector:4318/v1/traces' }, {}).tracesUrl).toBe('http://collector:4318/v1/traces');
  });

  it('names both the option and the variable when a value is wrong', () => {
    expect(() => resolveSettings({}, { COSTSCOPE_DEFAULT_MAX_TOKENS: '0' })).toThrow(
      new CostscopeConfigError('COSTSCOPE_DEFAULT_MAX_TOKENS (env) / guards.defaultMaxTokens (option) must be a whole number > 0, got "0"'),
    );
    expect(() => resolveSettings({}, { COSTSCOPE_ENDPOINT: 'localhost:4318' })).toThrow(
      'endpoint (option) / COSTSCOPE_ENDPOINT (env) must be http(s), got "localhost:4318"',
    );
    expect(() => resolveSettings({ guards: { maxInputTokens: 1.5 } }, {})).toThrow('guards.maxInputTokens (option) must be a whole number > 0, got 1.5');
  });

  it('throws errors any copy of Costscope recognises', () => {
    try {
      resolveSettings({ defaults: { priority: 'urgent' as 'critical' } }, {});
      expect.unreachable();
    } catch (error) {
      expect(CostscopeError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe('defaults.priority must be one of critical|important|optional, got "urgent"');
    }
  });
});
