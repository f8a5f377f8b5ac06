import { WebAPIPlatformError, WebAPIRequestError } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { classifySmtpError } from '../../../src/alerts/channels/email-channel.js';
import { classifySlackError } from '../../../src/alerts/channels/slack-bot-channel.js';

const summary = (error: ReturnType<typeof classifySlackError>) => [error.kind, error.code, error.retryable];

describe(classifySlackError.name, () => {
  it('retries timeouts, unreachable hosts and Slack’s own temporary errors; not token or channel errors', () => {
    expect(summary(classifySlackError(new WebAPIRequestError(new DOMException('timed out', 'TimeoutError'))))).toEqual(['timeout', 'timeout', true]);
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    expect(summary(classifySlackError(new WebAPIRequestError(refused)))).toEqual(['unreachable', 'ECONNREFUSED', true]);
    expect(summary(classifySlackError(new WebAPIPlatformError({ ok: false, error: 'internal_error' })))).toEqual(['server', 'internal_error', true]);
    expect(summary(classifySlackError(new WebAPIPlatformError({ ok: false, error: 'token_revoked' })))).toEqual(['auth', 'token_revoked', false]);
    expect(summary(classifySlackError(new WebAPIPlatformError({ ok: false, error: 'is_archived' })))).toEqual(['rejected', 'is_archived', false]);
    expect(summary(classifySlackError(new Error('Retry header did not contain a valid timeout (url: x)')))).toEqual(['rate_limited', 'http_429', true]);
  });
});

describe(classifySmtpError.name, () => {
  it('retries 4xx replies and timeouts, not 5xx replies', () => {
    expect(summary(classifySmtpError(Object.assign(new Error('Greylisted'), { code: 'EENVELOPE', responseCode: 451 })))).toEqual(['server', 'smtp_451', true]);
    expect(summary(classifySmtpError(Object.assign(new Error('No such user'), { code: 'EENVELOPE', responseCode: 550 })))).toEqual(['rejected', 'smtp_550', false]);
    expect(summary(classifySmtpError(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' })))).toEqual(['timeout', 'ETIMEDOUT', true]);
    expect(summary(classifySmtpError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' })))).toEqual(['unreachable', 'ECONNREFUSED', true]);
  });
});
