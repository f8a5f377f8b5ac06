import type { AlertRules, FeatureAllocation, PriceOverrideInput, ProjectBudget } from '@costscope/core';
import type { KeyScope } from '../api/types';

/**
 * The settings page's forms, turned into the values `PUT /api/v1/settings/*` takes, and the
 * API's validation errors turned back into the field they belong to. Pure: the server actions
 * call these, and the tests check them without a server.
 *
 * Field errors are keyed by the form field's name: `0.monthlyUsd` (row 0 of a row editor),
 * `dailySpendSpike.thresholdPercent`, `slack.botToken`.
 */
export type FieldErrors = Record<string, string>;

/** What a settings form's server action answers; `at` tells two identical answers apart. */
export type FormAnswer<Submitted = undefined> = {
  status: 'idle' | 'saved' | 'error';
  message?: string;
  fieldErrors?: FieldErrors;
  /** What was sent, so the form shows it again after an error instead of the saved values. */
  submitted?: Submitted;
  at?: number;
};

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

const texts = (form: FormData, name: string): string[] => form.getAll(name).map((value) => (typeof value === 'string' ? value.trim() : ''));

/** "$1,500.00" → "1500.00": what people type for an amount, as the API's decimal string. */
export function normaliseUsd(typed: string): string {
  return typed.trim().replace(/^\$/, '').replace(/[,\s]/g, '');
}

/**
 * The form field an API 400 names (`body.0.monthlyUsd`, `body.email.to.2`), among the form's
 * fields. Row editors skip blank rows, so value index → form row goes through `rowOfValue`.
 * `undefined` when it names no field of the form: the error is then shown for the whole form.
 */
export function fieldForApiParameter(parameter: string | undefined, fields: readonly string[], rowOfValue?: readonly number[]): string | undefined {
  if (!parameter) return undefined;
  const path = parameter.replace(/^body\.?/, '').split('.').filter(Boolean);
  if (rowOfValue && path.length > 0 && /^\d+$/.test(path[0] ?? '')) {
    const row = rowOfValue[Number(path[0])];
    if (row === undefined) return undefined;
    path[0] = String(row);
  }
  const joined = path.join('.');
  return [...fields].sort((a, b) => b.length - a.length).find((field) => joined === field || joined.startsWith(`${field}.`));
}

// ── Allocations ─────────────────────────────────────────────────────────────────────────────

/** The project budget form's one field, named as the API's body names it (`body.monthlyUsd`). */
export const PROJECT_BUDGET_FIELD = 'monthlyUsd';

/** The project's monthly budget as typed ("$5,000" → "5000"); a blank field is no budget. */
export function projectBudgetFromForm(form: FormData): ProjectBudget {
  const typed = text(form, PROJECT_BUDGET_FIELD);
  return { monthlyUsd: typed ? normaliseUsd(typed) : null };
}

export type AllocationRow = { feature: string; monthlyUsd: string };
export const ALLOCATION_FIELDS = ['feature', 'monthlyUsd'] as const;

export type RowsParse<Row, Value> = {
  rows: Row[];
  value: Value[];
  /** For each value sent, the form row it came from. */
  rowOfValue: number[];
  errors: FieldErrors;
};

/**
 * The allocation rows (`feature` and `monthlyUsd`, repeated in row order). A blank row is no
 * allocation: clearing a row removes it, which also works without JavaScript.
 */
export function allocationsFromForm(form: FormData): RowsParse<AllocationRow, FeatureAllocation> {
  const features = texts(form, 'feature');
  const amounts = texts(form, 'monthlyUsd');
  const rows = features.map((feature, index) => ({ feature, monthlyUsd: amounts[index] ?? '' }));
  const parse: RowsParse<AllocationRow, FeatureAllocation> = { rows, value: [], rowOfValue: [], errors: {} };
  rows.forEach((row, index) => {
    if (!row.feature && !row.monthlyUsd) return;
    if (!row.feature) parse.errors[`${index}.feature`] = 'Name the feature this amount is for.';
    if (!row.monthlyUsd) parse.errors[`${index}.monthlyUsd`] = 'Enter a monthly amount in USD.';
    parse.value.push({ feature: row.feature, monthlyUsd: normaliseUsd(row.monthlyUsd) });
    parse.rowOfValue.push(index);
  });
  return parse;
}

export const rowFields = (rowCount: number, fields: readonly string[]): string[] =>
  Array.from({ length: rowCount }, (_, row) => fields.map((field) => `${row}.${field}`)).flat();

// ── Alert rules ─────────────────────────────────────────────────────────────────────────────

type RuleName = Exclude<keyof AlertRules, 'repeatIntervalMinutes'>;
type FieldKind = 'number' | 'integer' | 'usd' | 'boolean';
export type RuleField = { name: string; label: string; unit?: string; kind: FieldKind; min?: number; max?: number };
export type RuleSection = { rule: RuleName; title: string; description: string; fields: RuleField[] };

/**
 * Every rule's settings as the form shows them, in the article's order (strategy 5: what to alert
 * on), then the ones Costscope adds. `enabled` is each section's switch, not a field here.
 */
export const RULE_SECTIONS: readonly RuleSection[] = [
  {
    rule: 'dailySpendSpike',
    title: 'Daily spend spike',
    description: 'Today’s spend over a share of the trailing daily average (the article: 120% of 7 days).',
    fields: [
      { name: 'thresholdPercent', label: 'Fire above', unit: '% of the average', kind: 'number', min: 1 },
      { name: 'baselineDays', label: 'Average over', unit: 'days', kind: 'integer', min: 1, max: 31 },
      { name: 'minBaselineUsd', label: 'Only when the average is at least', unit: 'USD a day', kind: 'usd' },
      { name: 'perFeature', label: 'Also per feature', kind: 'boolean' },
    ],
  },
  {
    rule: 'featureAllocation',
    title: 'Feature over its allocation',
    description: 'A feature’s month to date against its monthly allocation: a warning first, firing at 100%.',
    fields: [
      { name: 'warnAtPercent', label: 'Warn at', unit: '% of the allocation', kind: 'number', min: 1, max: 100 },
      { name: 'forecastWarning', label: 'Warn when the month-end forecast exceeds it', kind: 'boolean' },
      { name: 'forecastMinDays', label: 'Forecast from day', unit: 'of the month', kind: 'number', min: 0, max: 28 },
    ],
  },
  {
    rule: 'errorRate',
    title: 'Error rate',
    description: 'Failed calls over a share of all calls (the article: 2%); each failed call wastes tokens.',
    fields: [
      { name: 'thresholdPercent', label: 'Fire above', unit: '% of calls', kind: 'number', min: 0, max: 100 },
      { name: 'minCalls', label: 'Only with at least', unit: 'calls', kind: 'integer', min: 1 },
      { name: 'windowMinutes', label: 'Over the last', unit: 'minutes', kind: 'integer', min: 5, max: 10_080 },
    ],
  },
  {
    rule: 'outputTokenDrift',
    title: 'Output tokens per call rising',
    description: 'Recent output tokens per call against the baseline: prompt drift or a more verbose model.',
    fields: [
      { name: 'thresholdPercent', label: 'Fire above', unit: '% over the baseline', kind: 'number', min: 0 },
      { name: 'recentHours', label: 'Recent window', unit: 'hours', kind: 'integer', min: 1, max: 168 },
      { name: 'baselineDays', label: 'Baseline', unit: 'days', kind: 'integer', min: 1, max: 31 },
      { name: 'minCalls', label: 'Only with at least', unit: 'calls', kind: 'integer', min: 1 },
    ],
  },
  {
    rule: 'inputTokenOutlier',
    title: 'Oversized input',
    description: 'One call with more input tokens than this (the article’s pasted 50,000-word document).',
    fields: [{ name: 'maxInputTokens', label: 'Fire above', unit: 'input tokens', kind: 'integer', min: 1 }],
  },
  {
    rule: 'userSpendSpike',
    title: 'User spend spike',
    description: 'One user spending a multiple of their usual day: a power user or a misbehaving integration.',
    fields: [
      { name: 'multiple', label: 'Fire above', unit: '× their usual day', kind: 'number', min: 1 },
      { name: 'baselineDays', label: 'Usual day over', unit: 'days', kind: 'integer', min: 1, max: 31 },
      { name: 'minUsd', label: 'Only from', unit: 'USD today', kind: 'usd' },
    ],
  },
  {
    rule: 'costPerSuccess',
    title: 'Cost per successful call rising',
    description: 'All cost over successful calls, recent against the baseline: what one useful answer costs.',
    fields: [
      { name: 'thresholdPercent', label: 'Fire above', unit: '% over the baseline', kind: 'number', min: 0 },
      { name: 'recentHours', label: 'Recent window', unit: 'hours', kind: 'integer', min: 1, max: 168 },
      { name: 'baselineDays', label: 'Baseline', unit: 'days', kind: 'integer', min: 1, max: 31 },
      { name: 'minSuccesses', label: 'Only with at least', unit: 'successful calls', kind: 'integer', min: 1 },
    ],
  },
];

export const REPEAT_FIELD = 'repeatIntervalMinutes';

/** Every field name of the rules form (`errorRate.enabled`, `errorRate.minCalls`, …). */
export const RULE_FORM_FIELDS: readonly string[] = [
  REPEAT_FIELD,
  ...RULE_SECTIONS.flatMap((section) => [`${section.rule}.enabled`, ...section.fields.map((field) => `${section.rule}.${field.name}`)]),
];

/** The rules form's values: text for numbers and amounts, booleans for switches. */
export type RuleFormValues = Record<string, string | boolean>;

export function ruleFormValues(rules: AlertRules): RuleFormValues {
  const values: RuleFormValues = { [REPEAT_FIELD]: String(rules.repeatIntervalMinutes) };
  for (const section of RULE_SECTIONS) {
    const rule = rules[section.rule] as Record<string, unknown>;
    values[`${section.rule}.enabled`] = rule.enabled === true;
    for (const field of section.fields) {
      const value = rule[field.name];
      values[`${section.rule}.${field.name}`] = field.kind === 'boolean' ? value === true : String(value ?? '');
    }
  }
  return values;
}

/** The form's values as they were submitted (a switch left off is absent from the form data). */
export function submittedRuleValues(form: FormData): RuleFormValues {
  const values: RuleFormValues = { [REPEAT_FIELD]: text(form, REPEAT_FIELD) };
  for (const section of RULE_SECTIONS) {
    values[`${section.rule}.enabled`] = form.has(`${section.rule}.enabled`);
    for (const field of section.fields) {
      const name = `${section.rule}.${field.name}`;
      values[name] = field.kind === 'boolean' ? form.has(name) : text(form, name);
    }
  }
  return values;
}

function readNumber(typed: string, kind: 'number' | 'integer'): number | string {
  if (typed === '') return 'Enter a number.';
  const value = Number(typed.replace(/,/g, ''));
  if (!Number.isFinite(value)) return 'Enter a number.';
  if (kind === 'integer' && !Number.isInteger(value)) return 'Enter a whole number.';
  return value;
}

/**
 * The rules form as the `rules` setting. Starts from the current setting, so anything the form
 * does not show (a rule added to the server later) is kept as it is.
 */
export function rulesFromForm(form: FormData, current: AlertRules): { value: AlertRules; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const repeat = readNumber(text(form, REPEAT_FIELD), 'integer');
  if (typeof repeat === 'string') errors[REPEAT_FIELD] = repeat;
  const value: Record<string, unknown> = { ...current, [REPEAT_FIELD]: typeof repeat === 'number' ? repeat : current.repeatIntervalMinutes };
  for (const section of RULE_SECTIONS) {
    const rule: Record<string, unknown> = { ...(current[section.rule] as Record<string, unknown>), enabled: form.has(`${section.rule}.enabled`) };
    for (const field of section.fields) {
      const name = `${section.rule}.${field.name}`;
      if (field.kind === 'boolean') {
        rule[field.name] = form.has(name);
      } else if (field.kind === 'usd') {
        const amount = normaliseUsd(text(form, name));
        if (!amount) errors[name] = 'Enter an amount in USD.';
        rule[field.name] = amount;
      } else {
        const number = readNumber(text(form, name), field.kind);
        if (typeof number === 'string') errors[name] = number;
        else rule[field.name] = number;
      }
    }
    value[section.rule] = rule;
  }
  return { value: value as AlertRules, errors };
}

// ── Channels ────────────────────────────────────────────────────────────────────────────────

/** `PUT /api/v1/settings/channels`: each channel `null` when not set here (the environment's applies). */
export type ChannelsValue = {
  slack: { botToken: string; channel: string } | null;
  webhook: { url: string } | null;
  email: { smtpUrl?: string; from: string; to: string[] } | null;
};

export const CHANNEL_FIELDS = ['slack.botToken', 'slack.channel', 'webhook.url', 'email.smtpUrl', 'email.from', 'email.to'] as const;
export type ChannelFormValues = Record<(typeof CHANNEL_FIELDS)[number], string>;

/** The settings as the form shows them; secrets arrive masked from the API and stay masked. */
export function channelFormValues(channels: ChannelsValue): ChannelFormValues {
  return {
    'slack.botToken': channels.slack?.botToken ?? '',
    'slack.channel': channels.slack?.channel ?? '',
    'webhook.url': channels.webhook?.url ?? '',
    'email.smtpUrl': channels.email?.smtpUrl ?? '',
    'email.from': channels.email?.from ?? '',
    'email.to': channels.email?.to.join(', ') ?? '',
  };
}

export function submittedChannelValues(form: FormData): ChannelFormValues {
  return Object.fromEntries(CHANNEL_FIELDS.map((name) => [name, text(form, name)])) as ChannelFormValues;
}

/**
 * The channels form as the `channels` setting. A channel whose fields are all blank is not set
 * here. A masked secret sent back unchanged (`xoxb-…7f3a`) tells the API to keep the stored one,
 * so the form never needs, and never holds, a secret.
 */
export function channelsFromForm(form: FormData): { value: ChannelsValue; errors: FieldErrors } {
  const values = submittedChannelValues(form);
  const errors: FieldErrors = {};
  const value: ChannelsValue = { slack: null, webhook: null, email: null };

  const token = values['slack.botToken'];
  const channel = values['slack.channel'];
  if (token || channel) {
    if (!token) errors['slack.botToken'] = 'Enter the bot token (xoxb-…), or clear the channel.';
    if (!channel) errors['slack.channel'] = 'Enter the channel (#cost-alerts or its id), or clear the token.';
    value.slack = { botToken: token, channel };
  }

  if (values['webhook.url']) value.webhook = { url: values['webhook.url'] };

  const from = values['email.from'];
  const to = values['email.to']
    .split(/[,;\n]/)
    .map((address) => address.trim())
    .filter(Boolean);
  const smtpUrl = values['email.smtpUrl'];
  if (from || to.length > 0 || smtpUrl) {
    if (!from) errors['email.from'] = 'Enter the sender address.';
    if (to.length === 0) errors['email.to'] = 'Enter at least one recipient.';
    value.email = { ...(smtpUrl ? { smtpUrl } : {}), from, to };
  }
  return { value, errors };
}

/** What `POST /api/v1/settings/channels/test` answers. */
export type ChannelTestAnswer = {
  channel: string;
  status: 'sent' | 'failed' | string;
  attempts: number;
  error?: { code: string; message: string; retryable: boolean } | null;
  providerMessageId?: string | null;
};

/** The outcome of a test send, in a sentence. */
export function describeTestSend(answer: ChannelTestAnswer): { ok: boolean; message: string } {
  if (answer.status === 'sent') {
    return { ok: true, message: `Sent${answer.providerMessageId ? ` (message ${answer.providerMessageId})` : ''}. Check that it arrived.` };
  }
  const reason = answer.error ? `${answer.error.message}${answer.error.code ? ` (${answer.error.code})` : ''}` : 'no reason given';
  const retry = answer.error?.retryable ? ' This looks temporary: the alerts would retry it.' : '';
  return { ok: false, message: `Not sent: ${reason}.${retry}` };
}

// ── Price overrides ─────────────────────────────────────────────────────────────────────────

export const PRICE_FIELDS = [
  'model',
  'effectiveFrom',
  'inputPerMillion',
  'cachedInputPerMillion',
  'cacheWritePerMillion',
  'outputPerMillion',
  'batchDiscountPercent',
  'note',
] as const;
export type PriceOverrideRow = Record<(typeof PRICE_FIELDS)[number], string>;

/** A stored override as a row of the form (empty text for "not set"). */
export function priceOverrideRow(override: PriceOverrideInput): PriceOverrideRow {
  return {
    model: override.model,
    effectiveFrom: override.effectiveFrom,
    inputPerMillion: override.inputPerMillion,
    cachedInputPerMillion: override.cachedInputPerMillion ?? '',
    cacheWritePerMillion: override.cacheWritePerMillion ?? '',
    outputPerMillion: override.outputPerMillion,
    batchDiscountPercent: override.batchDiscountPercent === null || override.batchDiscountPercent === undefined ? '' : String(override.batchDiscountPercent),
    note: override.note ?? '',
  };
}

export const emptyPriceOverrideRow = (model = '', effectiveFrom = ''): PriceOverrideRow => ({
  model,
  effectiveFrom,
  inputPerMillion: '',
  cachedInputPerMillion: '',
  cacheWritePerMillion: '',
  outputPerMillion: '',
  batchDiscountPercent: '',
  note: '',
});

/**
 * The price override rows (each field repeated in row order) as the `prices` setting. Optional
 * prices left blank are `null` (cache reads and writes then bill at the input price; no batch
 * discount); a blank row is no override.
 */
export function priceOverridesFromForm(form: FormData): RowsParse<PriceOverrideRow, PriceOverrideInput> {
  const columns = Object.fromEntries(PRICE_FIELDS.map((field) => [field, texts(form, field)])) as Record<(typeof PRICE_FIELDS)[number], string[]>;
  const rows: PriceOverrideRow[] = columns.model.map((_, index) =>
    Object.fromEntries(PRICE_FIELDS.map((field) => [field, columns[field][index] ?? ''])) as PriceOverrideRow,
  );
  const parse: RowsParse<PriceOverrideRow, PriceOverrideInput> = { rows, value: [], rowOfValue: [], errors: {} };
  rows.forEach((row, index) => {
    if (PRICE_FIELDS.every((field) => row[field] === '')) return;
    const required: Array<[keyof PriceOverrideRow, string]> = [
      ['model', 'Name the model, as calls report it.'],
      ['effectiveFrom', 'Pick the day this price starts.'],
      ['inputPerMillion', 'Enter the input price per million tokens.'],
      ['outputPerMillion', 'Enter the output price per million tokens.'],
    ];
    for (const [field, message] of required) if (!row[field]) parse.errors[`${index}.${field}`] = message;
    let batchDiscountPercent: number | null = null;
    if (row.batchDiscountPercent) {
      const discount = Number(row.batchDiscountPercent.replace(/%$/, ''));
      if (!Number.isInteger(discount)) parse.errors[`${index}.batchDiscountPercent`] = 'A whole percentage, 0–100, or blank for no batch API.';
      else batchDiscountPercent = discount;
    }
    const optional = (typed: string) => (typed ? normaliseUsd(typed) : null);
    parse.value.push({
      model: row.model,
      effectiveFrom: row.effectiveFrom,
      inputPerMillion: normaliseUsd(row.inputPerMillion),
      cachedInputPerMillion: optional(row.cachedInputPerMillion),
      cacheWritePerMillion: optional(row.cacheWritePerMillion),
      outputPerMillion: normaliseUsd(row.outputPerMillion),
      batchDiscountPercent,
      ...(row.note ? { note: row.note } : {}),
    });
    parse.rowOfValue.push(index);
  });
  return parse;
}

// ── Re-pricing ──────────────────────────────────────────────────────────────────────────────

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * The re-price range from two days, the last one included (the API's `to` is exclusive, so it is
 * asked up to the day after). Days are UTC, as the API reads a date alone.
 */
export function repriceRangeFromForm(form: FormData): { range?: { from: string; to: string }; errors: FieldErrors } {
  const from = text(form, 'from');
  const through = text(form, 'through');
  const errors: FieldErrors = {};
  if (!DAY.test(from)) errors.from = 'Pick the first day.';
  if (!DAY.test(through)) errors.through = 'Pick the last day.';
  if (Object.keys(errors).length === 0 && through < from) errors.through = 'The last day comes on or after the first.';
  return Object.keys(errors).length > 0 ? { errors } : { range: { from, to: addDays(through, 1) }, errors };
}

/**
 * The first day a re-price should cover by default: the newest override's start, but no earlier
 * than the oldest day still stored raw (only those calls can be re-priced).
 */
export function defaultRepriceFrom(overrides: readonly Pick<PriceOverrideInput, 'effectiveFrom'>[], today: string, retentionDays: number): string {
  const oldest = addDays(today, -(retentionDays - 1));
  const newest = overrides.map((override) => override.effectiveFrom.slice(0, 10)).sort().at(-1);
  if (!newest) return addDays(today, -6) < oldest ? oldest : addDays(today, -6);
  if (newest > today) return today;
  return newest < oldest ? oldest : newest;
}

/** What each scope lets a key do, one line each, as the key form offers them. */
export const KEY_SCOPE_CHOICES: ReadonlyArray<{ scope: KeyScope; label: string; description: string }> = [
  { scope: 'ingest', label: 'Ingest', description: 'Sends spans only: the key to ship inside apps.' },
  { scope: 'read', label: 'Read', description: 'Ingest, and reads every figure through the API.' },
  { scope: 'admin', label: 'Admin', description: 'Everything, including keys, settings and re-pricing.' },
];

/** The form's scope: the least (`ingest`) when it sent none, undefined for one no key can have. */
export function keyScopeFromForm(value: FormDataEntryValue | null): KeyScope | undefined {
  if (value === null || value === '') return 'ingest';
  return KEY_SCOPE_CHOICES.some((choice) => choice.scope === value) ? (value as KeyScope) : undefined;
}
