import { alertRulesSchema, defaultAlertRules, featureAllocationsSchema, priceOverrideSchema, projectBudgetSchema } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import {
  ALLOCATION_FIELDS,
  PROJECT_BUDGET_FIELD,
  RULE_FORM_FIELDS,
  allocationsFromForm,
  channelFormValues,
  channelsFromForm,
  defaultRepriceFrom,
  describeTestSend,
  fieldForApiParameter,
  keyScopeFromForm,
  normaliseUsd,
  priceOverrideRow,
  priceOverridesFromForm,
  projectBudgetFromForm,
  repriceRangeFromForm,
  rowFields,
  ruleFormValues,
  rulesFromForm,
  submittedRuleValues,
} from '@/lib/shape/settings';

/** A form as the browser sends it: repeated names in document order. */
function formOf(entries: Array<[string, string]>): FormData {
  const form = new FormData();
  for (const [name, value] of entries) form.append(name, value);
  return form;
}

describe(allocationsFromForm.name, () => {
  it('reads the rows in order, skips blank ones and keeps which row each value came from', () => {
    const parse = allocationsFromForm(
      formOf([
        ['feature', 'search'],
        ['monthlyUsd', '$1,500'],
        ['feature', ''],
        ['monthlyUsd', ''],
        ['feature', ' support-chat '],
        ['monthlyUsd', '250.50'],
      ]),
    );
    expect(parse.value).toEqual([
      { feature: 'search', monthlyUsd: '1500' },
      { feature: 'support-chat', monthlyUsd: '250.50' },
    ]);
    expect(parse.rowOfValue).toEqual([0, 2]);
    expect(parse.errors).toEqual({});
    expect(featureAllocationsSchema.safeParse(parse.value).success).toBe(true);
  });

  it('names the missing half of a row', () => {
    const parse = allocationsFromForm(formOf([['feature', 'search'], ['monthlyUsd', ''], ['feature', ''], ['monthlyUsd', '20']]));
    expect(parse.errors).toEqual({ '0.monthlyUsd': expect.any(String), '1.feature': expect.any(String) });
  });
});

describe(projectBudgetFromForm.name, () => {
  const form = (typed: string) => {
    const data = new FormData();
    data.set('monthlyUsd', typed);
    return data;
  };

  it('sends the amount as typed people write it, and a blank field as no budget', () => {
    expect(projectBudgetFromForm(form('$5,000.50'))).toEqual({ monthlyUsd: '5000.50' });
    expect(projectBudgetFromForm(form('  '))).toEqual({ monthlyUsd: null });
    expect(projectBudgetSchema.safeParse(projectBudgetFromForm(form('$5,000.50'))).success).toBe(true);
    // What the API would refuse goes to it as typed, so its 400 lands on the field.
    expect(projectBudgetSchema.safeParse(projectBudgetFromForm(form('lots'))).success).toBe(false);
    expect(fieldForApiParameter('body.monthlyUsd', [PROJECT_BUDGET_FIELD])).toBe(PROJECT_BUDGET_FIELD);
  });
});

describe(fieldForApiParameter.name, () => {
  it('maps a 400’s parameter to the form row it came from', () => {
    const fields = rowFields(3, ALLOCATION_FIELDS);
    expect(fieldForApiParameter('body.1.monthlyUsd', fields, [0, 2])).toBe('2.monthlyUsd');
    expect(fieldForApiParameter('body.5.monthlyUsd', fields, [0, 2])).toBeUndefined();
    expect(fieldForApiParameter('body', fields, [0, 2])).toBeUndefined();
  });

  it('finds the field a nested parameter belongs to', () => {
    expect(fieldForApiParameter('body.email.to.2', ['email.to', 'email.from'])).toBe('email.to');
    expect(fieldForApiParameter('body.errorRate.minCalls', RULE_FORM_FIELDS)).toBe('errorRate.minCalls');
    expect(fieldForApiParameter(undefined, RULE_FORM_FIELDS)).toBeUndefined();
  });
});

describe('alert rules form', () => {
  const defaults = defaultAlertRules();
  const formFromValues = (values: Record<string, string | boolean>) =>
    formOf(Object.entries(values).flatMap(([name, value]): Array<[string, string]> => (value === false ? [] : [[name, value === true ? 'on' : value]])));

  it('round-trips the article’s defaults through the form', () => {
    const form = formFromValues(ruleFormValues(defaults));
    const { value, errors } = rulesFromForm(form, defaults);
    expect(errors).toEqual({});
    expect(value).toEqual(defaults);
    expect(alertRulesSchema.parse(value)).toEqual(defaults);
  });

  it('reads switches left off as off, and numbers as numbers', () => {
    const values = { ...ruleFormValues(defaults), 'errorRate.enabled': false, 'errorRate.thresholdPercent': '5', 'dailySpendSpike.minBaselineUsd': '$2.50' };
    const { value, errors } = rulesFromForm(formFromValues(values), defaults);
    expect(errors).toEqual({});
    expect(value.errorRate).toEqual({ ...defaults.errorRate, enabled: false, thresholdPercent: 5 });
    expect(value.dailySpendSpike.minBaselineUsd).toBe('2.50');
    expect(submittedRuleValues(formFromValues(values))['errorRate.enabled']).toBe(false);
  });

  it('says which field is not a number', () => {
    const values = { ...ruleFormValues(defaults), 'errorRate.minCalls': '1.5', repeatIntervalMinutes: 'soon' };
    expect(rulesFromForm(formFromValues(values), defaults).errors).toEqual({
      'errorRate.minCalls': 'Enter a whole number.',
      repeatIntervalMinutes: 'Enter a number.',
    });
  });
});

describe('channels form', () => {
  it('keeps masked secrets as they came, so the API keeps the stored ones', () => {
    const masked = { slack: { botToken: 'xoxb-…7f3a', channel: '#cost-alerts' }, webhook: { url: 'https://hooks.slack.com/…' }, email: null };
    const values = channelFormValues(masked);
    const { value, errors } = channelsFromForm(formOf(Object.entries(values)));
    expect(errors).toEqual({});
    expect(value).toEqual(masked);
  });

  it('reads a comma list of recipients, and leaves blank channels unset', () => {
    const { value } = channelsFromForm(formOf([['email.from', 'Costscope <alerts@example.com>'], ['email.to', 'a@example.com, b@example.com;c@example.com']]));
    expect(value).toEqual({ slack: null, webhook: null, email: { from: 'Costscope <alerts@example.com>', to: ['a@example.com', 'b@example.com', 'c@example.com'] } });
  });

  it('names the missing half of a channel', () => {
    expect(channelsFromForm(formOf([['slack.botToken', 'xoxb-1'], ['slack.channel', '']])).errors).toEqual({ 'slack.channel': expect.any(String) });
    expect(channelsFromForm(formOf([['email.to', 'a@example.com']])).errors).toEqual({ 'email.from': expect.any(String) });
  });

  it('says what a test send did', () => {
    expect(describeTestSend({ channel: 'slack', status: 'sent', attempts: 1, providerMessageId: '1700000000.000100' })).toEqual({
      ok: true,
      message: 'Sent (message 1700000000.000100). Check that it arrived.',
    });
    expect(describeTestSend({ channel: 'slack', status: 'failed', attempts: 1, error: { code: 'invalid_auth', message: 'Slack refused the token', retryable: false } })).toEqual({
      ok: false,
      message: 'Not sent: Slack refused the token (invalid_auth).',
    });
  });
});

describe('price overrides form', () => {
  it('reads rows as overrides, blank optional prices as null, and round-trips stored ones', () => {
    const stored = { model: 'gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '1.00', cachedInputPerMillion: null, cacheWritePerMillion: null, outputPerMillion: '8.00', batchDiscountPercent: 50 };
    const row = priceOverrideRow(stored);
    const blank = Object.fromEntries(Object.keys(row).map((field) => [field, '']));
    const typed = { ...row, model: 'acme-llm-1', inputPerMillion: '$0.10', outputPerMillion: '0.20', batchDiscountPercent: '', note: 'negotiated' };
    const form = formOf([row, blank, typed].flatMap((r) => Object.entries(r)));
    const parse = priceOverridesFromForm(form);
    expect(parse.errors).toEqual({});
    expect(parse.rowOfValue).toEqual([0, 2]);
    expect(parse.value).toEqual([
      stored,
      { model: 'acme-llm-1', effectiveFrom: '2026-10-01', inputPerMillion: '0.10', cachedInputPerMillion: null, cacheWritePerMillion: null, outputPerMillion: '0.20', batchDiscountPercent: null, note: 'negotiated' },
    ]);
    for (const override of parse.value) expect(priceOverrideSchema.safeParse(override).success).toBe(true);
  });

  it('names the required fields a row lacks, and a discount that is not a whole percentage', () => {
    const row = { model: 'gpt-5', effectiveFrom: '', inputPerMillion: '1', cachedInputPerMillion: '', cacheWritePerMillion: '', outputPerMillion: '', batchDiscountPercent: '12.5', note: '' };
    expect(Object.keys(priceOverridesFromForm(formOf(Object.entries(row))).errors).sort()).toEqual(['0.batchDiscountPercent', '0.effectiveFrom', '0.outputPerMillion']);
  });
});

describe('re-pricing', () => {
  it('asks the API up to the day after the last day, since its `to` is exclusive', () => {
    expect(repriceRangeFromForm(formOf([['from', '2026-11-01'], ['through', '2026-11-27']]))).toEqual({ range: { from: '2026-11-01', to: '2026-11-28' }, errors: {} });
    expect(repriceRangeFromForm(formOf([['from', '2026-11-05'], ['through', '2026-11-01']])).errors).toEqual({ through: expect.any(String) });
  });

  it('starts by default at the newest override, within the raw retention', () => {
    expect(defaultRepriceFrom([{ effectiveFrom: '2026-11-10' }, { effectiveFrom: '2026-10-01' }], '2026-11-28', 30)).toBe('2026-11-10');
    expect(defaultRepriceFrom([{ effectiveFrom: '2025-01-01' }], '2026-11-28', 30)).toBe('2026-10-30');
    expect(defaultRepriceFrom([], '2026-11-28', 30)).toBe('2026-11-22');
  });
});

describe(normaliseUsd.name, () => {
  it('drops the dollar sign and thousands separators people type', () => {
    expect(normaliseUsd(' $12,345.60 ')).toBe('12345.60');
  });
});

describe(keyScopeFromForm.name, () => {
  it('gives a new key the least scope unless the admin chose more, and refuses a scope no key can have', () => {
    expect(keyScopeFromForm(null)).toBe('ingest');
    expect(keyScopeFromForm('')).toBe('ingest');
    expect(keyScopeFromForm('read')).toBe('read');
    expect(keyScopeFromForm('admin')).toBe('admin');
    expect(keyScopeFromForm('root')).toBeUndefined();
  });
});
