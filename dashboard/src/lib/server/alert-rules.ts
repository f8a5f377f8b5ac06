import 'server-only';
import { alertRulesSchema, type AlertRules } from '@costscope/core';
import { cache } from 'react';
import { api } from '../api/client';

/**
 * The project's alert rules (`/api/v1/settings/rules`, the defaults before the first save), read
 * through core's schema so every threshold has its value even if the stored setting predates it.
 * Asked once per request.
 */
export const alertRuleSettings = cache(async (): Promise<AlertRules> => {
  const setting = await api.setting<unknown>('rules');
  const parsed = alertRulesSchema.safeParse(setting.value ?? {});
  return parsed.success ? parsed.data : alertRulesSchema.parse({});
});
