'use server';

import type { AlertRules, FeatureAllocation, PriceOverrideInput, ProjectBudget } from '@costscope/core';
import { refresh } from 'next/cache';
import { CostscopeApiError, api } from '@/lib/api/client';
import type { CreatedKeyAnswer, RepriceJobAnswer } from '@/lib/api/types';
import { dashboardKeyPrefix } from '@/lib/server/dashboard-key';
import { startRepriceJob } from '@/lib/server/reprice-job';
import { REPRICE_ALREADY_RUNNING } from '@/lib/shape/reprice';
import {
  ALLOCATION_FIELDS,
  CHANNEL_FIELDS,
  PRICE_FIELDS,
  PROJECT_BUDGET_FIELD,
  RULE_FORM_FIELDS,
  allocationsFromForm,
  channelFormValues,
  channelsFromForm,
  describeTestSend,
  fieldForApiParameter,
  keyScopeFromForm,
  priceOverrideRow,
  priceOverridesFromForm,
  projectBudgetFromForm,
  repriceRangeFromForm,
  rowFields,
  ruleFormValues,
  rulesFromForm,
  submittedChannelValues,
  submittedRuleValues,
  type AllocationRow,
  type ChannelFormValues,
  type ChannelTestAnswer,
  type ChannelsValue,
  type FieldErrors,
  type FormAnswer,
  type PriceOverrideRow,
  type RuleFormValues,
} from '@/lib/shape/settings';

/**
 * The settings page's writes. Each runs on the dashboard's server with its key (the browser only
 * ever sees the answer), validates what it can, and leaves the rest to the API, whose 400 names
 * the field: that error is shown next to the field. The proxy already refused any request
 * without a session before these run.
 */

const now = () => Date.now();

/**
 * The API's 400 message starts with the parameter it names ("body.0.monthlyUsd: …"): next to the
 * field, or for a channel test, the reason alone reads better.
 */
function withoutParameter(error: CostscopeApiError): string {
  return error.parameter && error.message.startsWith(`${error.parameter}: `) ? error.message.slice(error.parameter.length + 2) : error.message;
}

/** An API failure as the form's answer: next to its field when the API named one of the form's. */
function failure<Submitted>(error: unknown, submitted: Submitted, fields: readonly string[], rowOfValue?: readonly number[]): FormAnswer<Submitted> {
  if (CostscopeApiError.isInstance(error)) {
    const field = error.status === 400 ? fieldForApiParameter(error.parameter, fields, rowOfValue) : undefined;
    const reason = withoutParameter(error);
    return field
      ? { status: 'error', message: 'The server did not accept this: see the highlighted field.', fieldErrors: { [field]: reason }, submitted, at: now() }
      : { status: 'error', message: error.status === 400 ? `The server did not accept this: ${error.message}` : error.message, submitted, at: now() };
  }
  if (error instanceof Error && error.name === 'DashboardCredentialsError') return { status: 'error', message: error.message, submitted, at: now() };
  throw error;
}

const invalid = <Submitted>(fieldErrors: FieldErrors, submitted: Submitted): FormAnswer<Submitted> => ({
  status: 'error',
  message: 'Check the highlighted fields.',
  fieldErrors,
  submitted,
  at: now(),
});

const plural = (count: number, word: string) => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

export async function saveAllocations(_previous: FormAnswer<AllocationRow[]>, form: FormData): Promise<FormAnswer<AllocationRow[]>> {
  const parse = allocationsFromForm(form);
  if (Object.keys(parse.errors).length > 0) return invalid(parse.errors, parse.rows);
  try {
    const saved = await api.putSetting<FeatureAllocation[]>('allocations', parse.value);
    refresh();
    return {
      status: 'saved',
      message: `Saved ${plural(saved.value.length, 'allocation')}. The allocation alert uses them from its next run.`,
      submitted: saved.value.map((allocation) => ({ feature: allocation.feature, monthlyUsd: allocation.monthlyUsd })),
      at: now(),
    };
  } catch (error) {
    return failure(error, parse.rows, rowFields(parse.rows.length, ALLOCATION_FIELDS), parse.rowOfValue);
  }
}

export async function saveProjectBudget(_previous: FormAnswer<string>, form: FormData): Promise<FormAnswer<string>> {
  const value = projectBudgetFromForm(form);
  const submitted = value.monthlyUsd ?? '';
  try {
    const saved = await api.putSetting<ProjectBudget>('budget', value);
    refresh();
    return {
      status: 'saved',
      message:
        saved.value.monthlyUsd === null
          ? 'No project budget: load shedding and the allocation alert follow the feature allocations only.'
          : 'Saved the project budget. Load shedding and the allocation alert hold every feature to it.',
      submitted: saved.value.monthlyUsd ?? '',
      at: now(),
    };
  } catch (error) {
    return failure(error, submitted, [PROJECT_BUDGET_FIELD]);
  }
}

export async function saveRules(_previous: FormAnswer<RuleFormValues>, form: FormData): Promise<FormAnswer<RuleFormValues>> {
  const submitted = submittedRuleValues(form);
  try {
    // The current rules first: whatever the form does not show is kept as it is.
    const current = await api.setting<AlertRules>('rules');
    const { value, errors } = rulesFromForm(form, current.value);
    if (Object.keys(errors).length > 0) return invalid(errors, submitted);
    const saved = await api.putSetting<AlertRules>('rules', value);
    refresh();
    return { status: 'saved', message: 'Saved the alert rules. They apply from the next evaluation.', submitted: ruleFormValues(saved.value), at: now() };
  } catch (error) {
    return failure(error, submitted, RULE_FORM_FIELDS);
  }
}

export async function saveChannels(_previous: FormAnswer<ChannelFormValues>, form: FormData): Promise<FormAnswer<ChannelFormValues>> {
  const submitted = submittedChannelValues(form);
  const { value, errors } = channelsFromForm(form);
  if (Object.keys(errors).length > 0) return invalid(errors, submitted);
  try {
    // The answer masks the secrets again, so the form never holds one.
    const saved = await api.putSetting<ChannelsValue>('channels', value);
    refresh();
    return { status: 'saved', message: 'Saved the channels. Send a test to check each one.', submitted: channelFormValues(saved.value), at: now() };
  } catch (error) {
    return failure(error, submitted, CHANNEL_FIELDS);
  }
}

export type TestSendAnswer = { status: 'idle' | 'sent' | 'failed'; message?: string; at?: number };

export async function sendTestMessage(_previous: TestSendAnswer, form: FormData): Promise<TestSendAnswer> {
  const channel = form.get('channel');
  try {
    const answer = await api.testChannel({ channel });
    const outcome = describeTestSend(answer as ChannelTestAnswer);
    return { status: outcome.ok ? 'sent' : 'failed', message: outcome.message, at: now() };
  } catch (error) {
    if (CostscopeApiError.isInstance(error)) return { status: 'failed', message: withoutParameter(error), at: now() };
    throw error;
  }
}

export async function savePriceOverrides(_previous: FormAnswer<PriceOverrideRow[]>, form: FormData): Promise<FormAnswer<PriceOverrideRow[]>> {
  const parse = priceOverridesFromForm(form);
  if (Object.keys(parse.errors).length > 0) return invalid(parse.errors, parse.rows);
  try {
    const saved = await api.putSetting<PriceOverrideInput[]>('prices', parse.value);
    refresh();
    return {
      status: 'saved',
      message: `Saved ${plural(saved.value.length, 'price override')}. New calls use them from their start; re-price a range below to apply them to stored calls.`,
      submitted: saved.value.map(priceOverrideRow),
      at: now(),
    };
  } catch (error) {
    return failure(error, parse.rows, rowFields(parse.rows.length, PRICE_FIELDS), parse.rowOfValue);
  }
}

/**
 * `job`: the re-pricing job the server queued, or the project's job already running (`note` then
 * says so); the form follows it until it is done.
 */
export type RepriceAnswerState = FormAnswer<{ from: string; through: string }> & { job?: RepriceJobAnswer; note?: string };

export async function repriceRange(_previous: RepriceAnswerState, form: FormData): Promise<RepriceAnswerState> {
  const submitted = { from: String(form.get('from') ?? ''), through: String(form.get('through') ?? '') };
  const { range, errors } = repriceRangeFromForm(form);
  if (!range) return invalid(errors, submitted);
  try {
    // Nothing to refresh yet: the figures change as the job works, and the form refreshes the page when it is done.
    const { job, alreadyRunning } = await startRepriceJob(range);
    return { status: 'saved', submitted, job, note: alreadyRunning ? REPRICE_ALREADY_RUNNING : undefined, at: now() };
  } catch (error) {
    // The API names `body.from` / `body.to`; the form's fields are `from` and `through`.
    const answer = failure(error, submitted, ['from', 'to']);
    if (answer.fieldErrors?.to) answer.fieldErrors = { through: answer.fieldErrors.to };
    return answer;
  }
}

export type CreateKeyAnswer = FormAnswer<{ name: string; scope: string }> & { created?: Pick<CreatedKeyAnswer, 'key' | 'keyId' | 'name' | 'keyPrefix' | 'scope'> };

/**
 * The one answer that carries a new key: rendered once, to the admin who created it, and kept
 * nowhere (not in the URL, a cookie or the page's data).
 */
export async function createKey(_previous: CreateKeyAnswer, form: FormData): Promise<CreateKeyAnswer> {
  const name = String(form.get('name') ?? '').trim();
  const scope = keyScopeFromForm(form.get('scope'));
  const submitted = { name, scope: scope ?? 'ingest' };
  if (!name) return invalid({ name: 'Name the key after the app or person that uses it.' }, submitted);
  if (!scope) return invalid({ scope: 'Choose ingest, read or admin.' }, submitted);
  try {
    const created = await api.createKey(name, scope);
    refresh();
    return {
      status: 'saved',
      message: `Created “${created.name}” with the ${created.scope} scope. Copy the key now: it is shown only this once.`,
      created: { key: created.key, keyId: created.keyId, name: created.name, keyPrefix: created.keyPrefix, scope: created.scope },
      at: now(),
    };
  } catch (error) {
    return failure(error, submitted, ['name', 'scope']);
  }
}

export async function revokeKey(_previous: FormAnswer, form: FormData): Promise<FormAnswer> {
  const keyId = String(form.get('keyId') ?? '');
  try {
    const { keys } = await api.keys();
    const key = keys.find((candidate) => candidate.keyId === keyId);
    if (!key) return { status: 'error', message: 'That key is not in this project any more.', at: now() };
    // Revoking the key the dashboard reads with would lock the dashboard out of its own data.
    if (key.keyPrefix === (await dashboardKeyPrefix())) {
      return { status: 'error', message: `“${key.name}” is the key this dashboard reads with: revoke it with the CLI after giving the dashboard another key.`, at: now() };
    }
    await api.revokeKey(keyId);
    refresh();
    return { status: 'saved', message: `Revoked “${key.name}”. Calls sent with it are refused within 10 seconds.`, at: now() };
  } catch (error) {
    return failure(error, undefined, []);
  }
}
