/**
 * deploy/docker-entrypoint.sh, run by the machine's POSIX shell as the images run it: each
 * secret's NAME_FILE becomes NAME with the file's content, and a mistake stops the start with a
 * message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardEnvironmentNames, deployDir, serverEnvironmentNames } from './support/deploy-files.js';

const ENTRYPOINT = path.join(deployDir, 'docker-entrypoint.sh');
const dir = mkdtempSync(path.join(tmpdir(), 'costscope-entrypoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runEntrypoint(env: Record<string, string>) {
  return spawnSync('/bin/sh', [ENTRYPOINT, 'node', '-e', 'process.stdout.write(JSON.stringify(process.env))'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('the images\' entry point', () => {
  it('turns each secret\'s *_FILE into its variable, trailing newline dropped, and runs the command', () => {
    writeFileSync(path.join(dir, 'key'), 'cs_secret value with spaces\n');
    writeFileSync(path.join(dir, 'password'), 'p@ss\'word"$x');
    const result = runEntrypoint({ COSTSCOPE_API_KEY_FILE: path.join(dir, 'key'), CLICKHOUSE_PASSWORD_FILE: path.join(dir, 'password'), PORT: '4318' });
    expect(result.status).toBe(0);
    const env = JSON.parse(result.stdout) as Record<string, string>;
    expect(env.COSTSCOPE_API_KEY).toBe('cs_secret value with spaces');
    expect(env.CLICKHOUSE_PASSWORD).toBe('p@ss\'word"$x');
    expect(env.PORT).toBe('4318');
    expect(env).not.toHaveProperty('COSTSCOPE_API_KEY_FILE');
  });

  it('leaves other *_FILE variables alone: they are paths, not secrets', () => {
    const result = runEntrypoint({ SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt', NODE_EXTRA_CA_CERTS_FILE: path.join(dir, 'key') });
    expect(result.status).toBe(0);
    const env = JSON.parse(result.stdout) as Record<string, string>;
    expect(env.SSL_CERT_FILE).toBe('/etc/ssl/certs/ca-certificates.crt');
    expect(env).not.toHaveProperty('SSL_CERT');
    expect(env).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
  });

  it('reads every secret the server and the dashboard take, and only names they read', () => {
    const listed = /^SECRET_VARIABLES="([^"]*)"/m.exec(readFileSync(ENTRYPOINT, 'utf8'))?.[1]?.split(' ') ?? [];
    const read = new Set([...serverEnvironmentNames(), ...dashboardEnvironmentNames()]);
    expect(listed.filter((name) => !read.has(name))).toEqual([]);
    expect([...read].filter((name) => /PASSWORD|SECRET|_KEY$|TOKEN|SMTP_URL|WEBHOOK_URL/.test(name) && !listed.includes(name))).toEqual([]);
  });

  it('refuses a variable set both directly and through a file', () => {
    writeFileSync(path.join(dir, 'key'), 'from-file');
    const result = runEntrypoint({ COSTSCOPE_API_KEY: 'direct', COSTSCOPE_API_KEY_FILE: path.join(dir, 'key') });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('both COSTSCOPE_API_KEY and COSTSCOPE_API_KEY_FILE are set');
    expect(result.stdout).toBe('');
  });

  it('refuses a file it cannot read, naming the variable', () => {
    const result = runEntrypoint({ COSTSCOPE_SECRET_KEY_FILE: path.join(dir, 'missing') });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain(`COSTSCOPE_SECRET_KEY_FILE names ${path.join(dir, 'missing')}, which cannot be read`);
  });

  it('passes the command\'s exit status through (it replaces itself with the command)', () => {
    expect(spawnSync('/bin/sh', [ENTRYPOINT, 'node', '-e', 'process.exit(3)']).status).toBe(3);
  });
});
