import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { AlertClock } from '../../../src/alerts/scheduler/alert-clock.js';
import { AlertScheduler, type EvaluationReport } from '../../../src/alerts/scheduler/alert-scheduler.js';
import { IngestPipeline } from '../../../src/ingest/ingest-pipeline.js';
import { createApiKey } from '../../../src/storage/api-keys.js';
import { startServer, type RunningServer } from '../../support/running-server.js';
import { SlackPeer } from '../../support/slack-peer.js';
import { SmtpPeer } from '../../support/smtp-peer.js';
import { otlpJsonBody, type JsonSpan } from '../../support/otlp-json.js';

export const ALERT_FROM = 'Costscope <alerts@costscope.test>';
export const ALERT_TO = ['oncall@costscope.test', 'finance@costscope.test'];

/** The real server with every channel pointed at local peers, and the scheduler under a test clock. */
export type AlertServer = {
  server: RunningServer;
  slack: SlackPeer;
  smtp: SmtpPeer;
  clock: AlertClock;
  scheduler: AlertScheduler;
  env: Record<string, string>;
  close(): Promise<void>;
};

/**
 * The interval is an hour so the server's own timer never runs during a test: each test sets
 * the clock and calls `evaluateNow()`. The weekly review is off unless a test asks for it.
 */
export async function startAlertServer(
  extraEnv: Record<string, string> = {},
  peers?: { slack: SlackPeer; smtp: SmtpPeer },
): Promise<AlertServer> {
  const slack = peers?.slack ?? (await SlackPeer.start());
  const smtp = peers?.smtp ?? (await SmtpPeer.start());
  const env = {
    COSTSCOPE_ALERTS_INTERVAL: '1h',
    COSTSCOPE_WEEKLY_REVIEW: 'off',
    COSTSCOPE_DASHBOARD_URL: 'https://costs.example.com',
    SLACK_API_URL: slack.apiUrl,
    SLACK_BOT_TOKEN: 'xoxb-test-token-0001',
    SLACK_CHANNEL: '#cost-alerts',
    SLACK_WEBHOOK_URL: slack.webhookUrl,
    SMTP_URL: smtp.url,
    ALERT_EMAIL_FROM: ALERT_FROM,
    ALERT_EMAIL_TO: ALERT_TO.join(','),
    // Each test makes its own project: the environment's channels serve them all.
    COSTSCOPE_ENV_CHANNELS_FOR: '*',
    ...extraEnv,
  };
  const server = await startServer(env);
  return attach(server, slack, smtp, env);
}

/** Wires an already started server (e.g. a restart on the same data dir) to the peers. */
export function attach(server: RunningServer, slack: SlackPeer, smtp: SmtpPeer, env: Record<string, string>): AlertServer {
  return {
    server,
    slack,
    smtp,
    clock: server.app.get(AlertClock),
    scheduler: server.app.get(AlertScheduler),
    env,
    async close() {
      await server.close();
      await slack.stop();
      await smtp.stop();
    },
  };
}

/** A project of its own (its own key), so each test's project-wide figures are only its calls. */
export async function createProject(server: RunningServer, projectId: string): Promise<{ Authorization: string }> {
  const key = `cs_test_${projectId}_${randomBytes(8).toString('hex')}`;
  await createApiKey(server.transport, { projectId, key, name: 'alerts test', scope: 'admin' });
  return { Authorization: `Bearer ${key}` };
}

export type TestCall = {
  start: Date;
  feature?: string;
  endpoint?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  failed?: boolean;
  userId?: string;
};

let spanCounter = 0;

/**
 * Posts calls as OTLP/JSON spans to `/v1/traces`: the real ingest path (decode, normalize, price,
 * spool, insert). Prices are the catalog's: gpt-5-mini output is $2.00 per million tokens, so
 * 500,000 output tokens cost exactly $1.00.
 */
export async function postCalls(server: RunningServer, auth: { Authorization: string }, calls: readonly TestCall[]): Promise<void> {
  for (let offset = 0; offset < calls.length; offset += 500) {
    const spans = calls.slice(offset, offset + 500).map((call): JsonSpan => {
      spanCounter += 1;
      return {
        traceId: randomBytes(16).toString('hex'),
        spanId: (BigInt(spanCounter) + 0x1000_0000_0000n).toString(16).padStart(16, '0'),
        start: call.start,
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': call.model ?? 'gpt-5-mini',
          'gen_ai.usage.input_tokens': call.inputTokens ?? 0,
          'gen_ai.usage.output_tokens': call.outputTokens ?? 0,
          'costscope.feature': call.feature ?? 'chat',
          ...(call.endpoint ? { 'costscope.endpoint': call.endpoint } : {}),
          ...(call.userId ? { 'user.id': call.userId } : {}),
          ...(call.failed ? { 'error.type': '500' } : {}),
        },
        error: call.failed ?? false,
      };
    });
    const response = await fetch(`${server.baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: otlpJsonBody(spans),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    expect(Number(body.partialSuccess?.rejectedSpans ?? 0), body.partialSuccess?.errorMessage).toBe(0);
  }
  await flushIngest(server);
}

/** The ingest's batcher waits up to seconds to coalesce inserts; flush it rather than wait. */
async function flushIngest(server: RunningServer): Promise<void> {
  await server.app.get(IngestPipeline).batcher.flush();
}

export async function putSetting(server: RunningServer, auth: { Authorization: string }, kind: string, value: unknown): Promise<void> {
  const response = await fetch(`${server.baseUrl}/api/v1/settings/${kind}`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Only `enabled` rules evaluate, so a test sees the messages of the rule it is about. */
export async function onlyRule(
  server: RunningServer,
  auth: { Authorization: string },
  rule: string,
  settings: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<void> {
  const all = ['dailySpendSpike', 'featureAllocation', 'errorRate', 'outputTokenDrift', 'inputTokenOutlier', 'userSpendSpike', 'costPerSuccess'];
  const value: Record<string, unknown> = { ...extra };
  for (const name of all) value[name] = name === rule ? { enabled: true, ...settings } : { enabled: false };
  await putSetting(server, auth, 'rules', value);
}

export type AlertsAnswer = {
  alerts: Array<{
    episodeId: string;
    rule: string;
    scope: string;
    status: 'firing' | 'resolved';
    severity: string;
    startedAt: string;
    resolvedAt: string | null;
    values: { reason: string; comparison: Record<string, unknown> };
    deliveries: Array<{
      channel: string;
      messageKind: string;
      status: string;
      attempts: number;
      error: string | null;
      deliveryKey: string;
      providerMessageId: string | null;
    }>;
  }>;
};

export async function getAlerts(server: RunningServer, auth: { Authorization: string }, at: Date): Promise<AlertsAnswer> {
  const to = new Date(at.getTime() + 86_400_000).toISOString();
  const response = await fetch(`${server.baseUrl}/api/v1/alerts?from=2000-01-01&to=${encodeURIComponent(to)}`, { headers: auth });
  expect(response.status).toBe(200);
  return (await response.json()) as AlertsAnswer;
}

export async function evaluateAt(alerts: AlertServer, at: Date): Promise<EvaluationReport> {
  alerts.clock.set(at);
  const report = await alerts.scheduler.evaluateNow();
  expect(report.evaluated).toBe(true);
  return report;
}

/** What the peers received for one project (its id is in every subject and Slack text). */
export function messagesFor(alerts: AlertServer, projectId: string) {
  const mentions = (text: string) => text.includes(projectId);
  return {
    slack: alerts.slack.postMessages.filter((post) => mentions(post.text)),
    webhook: alerts.slack.webhookPosts.filter((post) => mentions(post.payload.text)),
    email: alerts.smtp.received.filter((mail) => mentions(mail.mail.subject ?? '')),
  };
}
