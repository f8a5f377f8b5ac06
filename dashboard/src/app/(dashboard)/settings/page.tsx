import { createPriceCatalog, usdToExactString, type AlertRules, type FeatureAllocation, type PriceOverrideInput, type ProjectBudget } from '@costscope/core';
import type { Metadata } from 'next';
import type * as React from 'react';
import { PageHeader } from '@/components/page-header';
import { ApiErrorBanner } from '@/components/states';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api, serverUrl } from '@/lib/api/client';
import { dateTime } from '@/lib/format';
import { dashboardKeyPrefix } from '@/lib/server/dashboard-key';
import { load, param, projectInfo, type Loaded, type PageSearchParams } from '@/lib/server/page-data';
import {
  addDays,
  channelFormValues,
  defaultRepriceFrom,
  emptyPriceOverrideRow,
  priceOverrideRow,
  ruleFormValues,
  type ChannelsValue,
} from '@/lib/shape/settings';
import { AllocationsForm, ProjectBudgetForm } from './allocations-form';
import { ChannelsForm } from './channels-form';
import { KeysPanel } from './keys-panel';
import { PriceOverridesForm, RepriceForm } from './prices-form';
import { RulesForm } from './rules-form';

export const metadata: Metadata = { title: 'Settings' };

const DAY_MS = 86_400_000;

const SECTIONS = [
  { id: 'allocations', title: 'Allocations' },
  { id: 'rules', title: 'Alert rules' },
  { id: 'channels', title: 'Channels' },
  { id: 'prices', title: 'Price overrides' },
  { id: 'keys', title: 'API keys' },
] as const;

/**
 * The project's settings, each section loaded on its own so one failing read does not hide the
 * others. Writes are server actions (`./actions.ts`); secrets stay on the server: channel secrets
 * come masked from the API, and the dashboard's own key is only compared here by its prefix.
 */
export default async function SettingsPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const [project, allocations, budget, features, rules, channels, prices, keys] = await Promise.all([
    load(() => projectInfo()),
    load(() => api.setting<FeatureAllocation[]>('allocations')),
    load(() => api.setting<ProjectBudget>('budget')),
    load(() => api.costs({ from: new Date(now.getTime() - 30 * DAY_MS), to: now, groupBy: ['feature'] })),
    load(() => api.setting<AlertRules>('rules')),
    load(() => api.setting<ChannelsValue>('channels')),
    load(async () => {
      const [overrides, inForce] = await Promise.all([api.setting<PriceOverrideInput[]>('prices'), api.prices(now)]);
      return { overrides: overrides.value, unpricedModels: inForce.unpricedModels };
    }),
    load(async () => ({ keys: (await api.keys()).keys, dashboardPrefix: await dashboardKeyPrefix() })),
  ]);

  const timezone = project.ok ? project.data.timezone : 'UTC';
  // A dashboard given a `read` key shows every figure but may change nothing: said before a form fails.
  const dashboardScope = keys.ok ? keys.data.keys.find((key) => !key.revokedAt && key.keyPrefix === keys.data.dashboardPrefix)?.scope : undefined;
  const retentionDays = project.ok ? project.data.retentionDays : 30;
  const oldestRawDay = addDays(today, -(retentionDays - 1));
  const catalog = createPriceCatalog();
  // An unknown model's price should cover its calls already stored; a known model's new price starts today.
  const newRowFrom = (model: string) => (catalog.resolve(model, new Date(8.64e15)) ? today : oldestRawDay);
  const prefillModel = param(params, 'model')?.trim();
  const catalogPrices = Object.fromEntries(
    catalog
      .effectivePrices(now)
      .map((price) => [
        price.modelId,
        {
          input: usdToExactString(price.inputPerMillion),
          cached: price.cachedInputPerMillion === null ? null : usdToExactString(price.cachedInputPerMillion),
          output: usdToExactString(price.outputPerMillion),
          batchDiscountPercent: price.batchDiscountPercent,
        },
      ]),
  );

  return (
    <>
      <PageHeader title="Settings" description="Allocations, alert rules, where alerts go, your own prices and the project’s API keys." />
      <nav aria-label="Settings sections" className="no-print -mt-2 mb-6 flex flex-wrap gap-2">
        {SECTIONS.map((section) => (
          <a key={section.id} href={`#${section.id}`} className="rounded-md border px-3 py-1.5 text-sm hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50 outline-none">
            {section.title}
          </a>
        ))}
      </nav>
      {dashboardScope && dashboardScope !== 'admin' ? (
        <p role="note" className="mb-6 rounded-md border border-warning/50 bg-warning/10 px-3 py-2 text-sm" data-testid="read-only-key">
          This dashboard reads with a <strong>{dashboardScope}</strong> key: it shows the settings, but saving them, creating or revoking keys and re-pricing need an admin key.
        </p>
      ) : null}
      <div className="grid grid-cols-1 gap-8">
        <Section id="allocations" title="Allocations" description="Monthly cost allocation per feature, and the project’s monthly budget.">
          <div className="grid gap-6">
            {failed(budget) ?? (budget.ok ? <ProjectBudgetForm initial={budget.data.value.monthlyUsd} /> : null)}
            {failed(allocations) ?? (
              <AllocationsForm
                initial={allocations.ok ? allocations.data.value : []}
                features={features.ok ? features.data.rows.filter((row) => row.feature).map((row) => ({ feature: row.feature ?? '', costUsd: row.costUsd, unpricedRequests: row.unpricedRequests })) : []}
              />
            )}
          </div>
        </Section>

        <Section id="rules" title="Alert rules" description="When an alert fires: the article’s rules, with thresholds and windows you can tune.">
          {failed(rules) ?? (rules.ok ? <RulesForm initial={ruleFormValues(rules.data.value)} /> : null)}
        </Section>

        <Section id="channels" title="Channels" description="Slack, a Slack webhook and email; each with a test send.">
          {failed(channels) ?? (channels.ok ? <ChannelsForm initial={channelFormValues(channels.data.value)} /> : null)}
        </Section>

        <Section id="prices" title="Price overrides" description="Your own price for a model from a day on, then re-price the calls already stored.">
          {failed(prices) ??
            (prices.ok ? (
              <div className="grid gap-6">
                <PriceOverridesForm
                  initial={prices.data.overrides.map(priceOverrideRow)}
                  prefill={
                    prefillModel && !prices.data.overrides.some((override) => override.model === prefillModel)
                      ? emptyPriceOverrideRow(prefillModel, newRowFrom(prefillModel))
                      : null
                  }
                  unpriced={prices.data.unpricedModels.map((model) => ({ model: model.model, requests: model.requests, effectiveFrom: oldestRawDay }))}
                  catalogPrices={catalogPrices}
                  newRowFrom={today}
                />
                <div className="border-t pt-5">
                  <h3 className="mb-2 text-sm font-semibold">Re-price stored calls</h3>
                  <RepriceForm defaultFrom={defaultRepriceFrom(prices.data.overrides, today, retentionDays)} defaultThrough={today} oldestDay={oldestRawDay} />
                </div>
              </div>
            ) : null)}
        </Section>

        <Section id="keys" title="API keys" description="Keys apps send their calls with. A new key is shown once, when it is created.">
          {failed(keys) ??
            (keys.ok ? (
              <KeysPanel
                endpoint={serverUrl()}
                keys={keys.data.keys.map((key) => ({
                  keyId: key.keyId,
                  name: key.name,
                  keyPrefix: key.keyPrefix,
                  scope: key.scope,
                  created: dateTime(key.createdAt, timezone),
                  revoked: key.revokedAt ? dateTime(key.revokedAt, timezone) : null,
                  usedByDashboard: key.keyPrefix === keys.data.dashboardPrefix,
                }))}
              />
            ) : null)}
        </Section>
      </div>
    </>
  );
}

function failed<T>(loaded: Loaded<T>): React.ReactNode | undefined {
  return loaded.ok ? undefined : <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />;
}

function Section({ id, title, description, children }: { id: string; title: string; description: string; children: React.ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-4">
      <Card>
        <CardHeader>
          <CardTitle id={`${id}-title`} className="text-base">
            {title}
          </CardTitle>
          <CardDescription>{description}</CardDescription>
        </CardHeader>
        <CardContent>{children}</CardContent>
      </Card>
    </section>
  );
}
