import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/config/server-config.js';

/** The limits' settings: defaults, units, and a start that fails naming the variable. */
describe('limit settings', () => {
  it('defaults to 2 GiB, 30 s, a million groups, 8 reads; 64 exports, half of them per project', () => {
    const config = loadServerConfig({});
    expect(config.storage.queryLimits).toEqual({ maxMemoryUsageBytes: 2 * 1024 ** 3, maxExecutionTimeSeconds: 30, maxRowsToGroupBy: 1_000_000, maxConcurrentQueries: 8 });
    expect(config.ingestConcurrency).toEqual({ maxInFlight: 64, maxInFlightPerProject: 32 });
  });

  it('reads sizes with units and durations in whole seconds', () => {
    const config = loadServerConfig({ COSTSCOPE_QUERY_MAX_MEMORY: '512MiB', COSTSCOPE_QUERY_TIMEOUT: '2m', COSTSCOPE_INGEST_MAX_IN_FLIGHT: '9' });
    expect(config.storage.queryLimits).toMatchObject({ maxMemoryUsageBytes: 512 * 1024 ** 2, maxExecutionTimeSeconds: 120 });
    expect(config.ingestConcurrency).toEqual({ maxInFlight: 9, maxInFlightPerProject: 5 });
  });

  it('never lets one project hold more than the whole process', () => {
    expect(loadServerConfig({ COSTSCOPE_INGEST_MAX_IN_FLIGHT: '4', COSTSCOPE_INGEST_MAX_IN_FLIGHT_PER_PROJECT: '10' }).ingestConcurrency.maxInFlightPerProject).toBe(4);
  });

  it.each([
    ['COSTSCOPE_QUERY_MAX_MEMORY', 'lots'],
    ['COSTSCOPE_QUERY_MAX_MEMORY', '1KiB'],
    ['COSTSCOPE_QUERY_TIMEOUT', '1500ms'],
    ['COSTSCOPE_QUERY_MAX_GROUPS', '0'],
    ['COSTSCOPE_QUERY_MAX_IN_FLIGHT', 'many'],
    ['COSTSCOPE_INGEST_MAX_IN_FLIGHT', '0'],
  ])('refuses %s=%s at start, naming it', (name, value) => {
    expect(() => loadServerConfig({ [name]: value })).toThrow(name);
  });
});
