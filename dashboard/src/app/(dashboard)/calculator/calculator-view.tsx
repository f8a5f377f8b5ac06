'use client';

import { createPriceCatalog, formatUsdChange, parseUsd, type PriceOverrideInput } from '@costscope/core';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useId, useMemo, useState } from 'react';
import { DataTable, type ColumnDef } from '@/components/data-table';
import { Stat } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/native-select';
import { count, money, moneyWithUnpriced } from '@/lib/format';
import {
  ARTICLE_EXAMPLES,
  DAYS_PER_MONTH,
  TIER_LABELS,
  cachedSharePercent,
  cachedTokensForShare,
  compareModels,
  parseCount,
  scenarioProblems,
  type CalculatorRow,
  type CalculatorScenario,
  type CallsPer,
  type FeatureUsage,
  type ScenarioField,
} from '@/lib/shape/calculator';
import { calculatorParsers, calculatorUrlKeys } from './calculator-params';

type Texts = Record<ScenarioField, string>;

const textsOf = (scenario: Pick<CalculatorScenario, ScenarioField>): Texts => ({
  inputTokens: String(scenario.inputTokens),
  cachedTokens: String(scenario.cachedTokens),
  outputTokens: String(scenario.outputTokens),
  calls: String(scenario.calls),
});

/**
 * The calculator: the workload's fields (kept in the URL), and every model priced for it in the
 * browser with core's what-if pricing and this project's price overrides, so typing never waits
 * for the server.
 */
export function CalculatorView({ at, overrides, features }: { at: string; overrides: PriceOverrideInput[]; features: FeatureUsage[] }) {
  const [query, setQuery] = useQueryStates(calculatorParsers, { urlKeys: calculatorUrlKeys, history: 'replace' });
  // What is typed, which may be briefly invalid ("", "12.5"); the URL keeps the last valid figures.
  const [texts, setTexts] = useState<Texts>(() => textsOf(query));
  const [shareText, setShareText] = useState(() => String(cachedSharePercent(query.inputTokens, query.cachedTokens)));
  const catalog = useMemo(() => createPriceCatalog({ overrides }), [overrides]);
  const when = useMemo(() => new Date(at), [at]);
  const models = useMemo(() => catalog.effectivePrices(when), [catalog, when]);
  const ids = { input: useId(), cached: useId(), share: useId(), output: useId(), calls: useId(), per: useId(), compare: useId(), feature: useId() };

  const parsed = {
    inputTokens: parseCount(texts.inputTokens) ?? Number.NaN,
    cachedTokens: parseCount(texts.cachedTokens) ?? Number.NaN,
    outputTokens: parseCount(texts.outputTokens) ?? Number.NaN,
    calls: parseCount(texts.calls) ?? Number.NaN,
  };
  const problems = scenarioProblems(parsed);
  const problemOf = (field: ScenarioField) => problems.find((problem) => problem.field === field)?.message;
  const scenario: CalculatorScenario = { ...parsed, per: query.per, compareWith: query.compareWith };
  const comparison = useMemo(
    () => (problems.length === 0 ? compareModels(catalog, scenario, when) : null),
    // The scenario's fields are what matter; `problems` follows from them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [catalog, when, scenario.inputTokens, scenario.cachedTokens, scenario.outputTokens, scenario.calls, scenario.per, scenario.compareWith, problems.length],
  );
  const loadedFeature = features.find((feature) => feature.feature === query.feature);

  const setField = (field: ScenarioField, text: string) => {
    const next = { ...texts, [field]: text };
    setTexts(next);
    if (field === 'inputTokens' || field === 'cachedTokens') {
      const input = parseCount(next.inputTokens);
      const cached = parseCount(next.cachedTokens);
      if (input !== undefined && cached !== undefined) setShareText(String(cachedSharePercent(input, cached)));
    }
    const value = parseCount(text);
    if (value !== undefined) void setQuery({ [field]: value });
  };

  const setShare = (text: string) => {
    setShareText(text);
    const share = Number(text);
    const input = parseCount(texts.inputTokens);
    if (text.trim() === '' || !Number.isFinite(share) || input === undefined) return;
    const cached = cachedTokensForShare(input, share);
    setTexts({ ...texts, cachedTokens: String(cached) });
    void setQuery({ cachedTokens: cached });
  };

  const loadScenario = (next: CalculatorScenario, feature: string | null) => {
    setTexts(textsOf(next));
    setShareText(String(cachedSharePercent(next.inputTokens, next.cachedTokens)));
    void setQuery({ ...next, feature });
  };

  const loadFeature = (name: string) => {
    const usage = features.find((feature) => feature.feature === name);
    if (!usage) {
      void setQuery({ feature: null });
      return;
    }
    loadScenario(
      {
        inputTokens: usage.inputTokens,
        cachedTokens: usage.cachedTokens,
        outputTokens: usage.outputTokens,
        calls: usage.callsPerMonth,
        per: 'month',
        compareWith: usage.topModel ?? query.compareWith,
      },
      usage.feature,
    );
  };

  // The compared model may be one no price applies to (a feature's unpriced model): still listed.
  const compareOptions = models.some((model) => model.modelId === query.compareWith)
    ? models
    : [...models, { modelId: query.compareWith, displayName: `${query.compareWith} (no price)` }];

  return (
    <div className="grid grid-cols-1 gap-6">
      <Card>
        <CardHeader>
          <CardTitle>Workload</CardTitle>
          <CardDescription>Tokens of one call and how many calls: type them, load a feature’s real last 30 days, or start from one of the article’s examples.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-5">
          <div className="flex flex-wrap items-center gap-2" role="group" aria-label="The article’s worked examples">
            <span className="text-sm text-muted-foreground">Article examples:</span>
            {ARTICLE_EXAMPLES.map((example) => (
              <Button key={example.id} type="button" variant="outline" size="sm" title={example.detail} onClick={() => loadScenario(example.scenario, null)}>
                {example.label}
              </Button>
            ))}
          </div>

          {features.length > 0 ? (
            <div className="grid gap-2 sm:max-w-md">
              <Label htmlFor={ids.feature}>Load a feature’s last 30 days</Label>
              <NativeSelect id={ids.feature} value={loadedFeature?.feature ?? ''} onChange={(event) => loadFeature(event.target.value)}>
                <option value="">Choose a feature…</option>
                {features.map((feature) => (
                  <option key={feature.feature} value={feature.feature}>
                    {feature.feature} — {count(feature.callsPerMonth)} calls
                  </option>
                ))}
              </NativeSelect>
            </div>
          ) : null}

          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <CountField id={ids.input} label="Input tokens per call" hint="All input, cached tokens included." value={texts.inputTokens} problem={problemOf('inputTokens')} onChange={(text) => setField('inputTokens', text)} testId="calc-input" />
            <div className="grid content-start gap-2">
              <CountField id={ids.cached} label="Cached tokens per call" hint={undefined} value={texts.cachedTokens} problem={problemOf('cachedTokens')} onChange={(text) => setField('cachedTokens', text)} testId="calc-cached" />
              <div className="flex items-center gap-2">
                <Label htmlFor={ids.share} className="whitespace-nowrap text-xs font-normal text-muted-foreground">
                  Cached share
                </Label>
                <Input id={ids.share} type="number" inputMode="decimal" min={0} max={100} step="any" className="h-8 w-24" value={shareText} onChange={(event) => setShare(event.target.value)} data-testid="calc-share" />
                <span className="text-xs text-muted-foreground">% of input</span>
              </div>
            </div>
            <CountField id={ids.output} label="Output tokens per call" hint="Reasoning tokens included." value={texts.outputTokens} problem={problemOf('outputTokens')} onChange={(text) => setField('outputTokens', text)} testId="calc-output" />
            <div className="grid content-start gap-2">
              <Label htmlFor={ids.calls}>Calls</Label>
              <div className="flex gap-2">
                <Input
                  id={ids.calls}
                  inputMode="numeric"
                  value={texts.calls}
                  onChange={(event) => setField('calls', event.target.value)}
                  aria-invalid={problemOf('calls') ? true : undefined}
                  aria-describedby={problemOf('calls') ? `${ids.calls}-problem` : undefined}
                  data-testid="calc-calls"
                />
                <label htmlFor={ids.per} className="sr-only">
                  Calls per
                </label>
                <NativeSelect id={ids.per} value={query.per} onChange={(event) => void setQuery({ per: event.target.value as CallsPer })} data-testid="calc-per">
                  <option value="day">a day</option>
                  <option value="month">a month</option>
                </NativeSelect>
              </div>
              {problemOf('calls') ? (
                <p id={`${ids.calls}-problem`} className="text-xs text-destructive">
                  {problemOf('calls')}
                </p>
              ) : (
                <p className="text-xs text-muted-foreground">{callsElsewhere(parsed.calls, query.per)}</p>
              )}
            </div>
          </div>

          <div className="grid gap-2 sm:max-w-md">
            <Label htmlFor={ids.compare}>Compare with</Label>
            <NativeSelect id={ids.compare} value={query.compareWith} onChange={(event) => void setQuery({ compareWith: event.target.value })} data-testid="calc-compare">
              {compareOptions.map((model) => (
                <option key={model.modelId} value={model.modelId}>
                  {model.displayName}
                </option>
              ))}
            </NativeSelect>
          </div>

          {loadedFeature ? (
            <p className="text-sm text-muted-foreground" data-testid="calc-feature-note">
              <strong className="font-medium text-foreground">{loadedFeature.feature}</strong>, last 30 days: {count(loadedFeature.callsPerMonth)} calls averaging{' '}
              {count(loadedFeature.inputTokens)} input ({count(loadedFeature.cachedTokens)} cached) and {count(loadedFeature.outputTokens)} output tokens, mostly on{' '}
              {loadedFeature.topModel ?? 'an unknown model'}. They cost {moneyWithUnpriced(loadedFeature.costUsd, loadedFeature.unpricedRequests)} at the prices of
              each call’s time.
            </p>
          ) : null}
        </CardContent>
      </Card>

      {comparison ? (
        <Results comparison={comparison} scenario={scenario} />
      ) : (
        <p role="status" className="rounded-lg border border-destructive/40 bg-destructive/10 p-4 text-sm">
          Fix the highlighted field to see the figures.
        </p>
      )}

      <p className="text-xs text-muted-foreground">
        Tokens are taken as counted: another provider’s tokenizer may count the same text a little differently. Cached tokens bill at each model’s cached-input price
        (its input price when it lists none); writing the cache is not counted. A month is 30 days. Prices in force {when.toISOString().slice(0, 10)}, with this
        project’s price overrides.
      </p>
    </div>
  );
}

function CountField({
  id,
  label,
  hint,
  value,
  problem,
  onChange,
  testId,
}: {
  id: string;
  label: string;
  hint: string | undefined;
  value: string;
  problem: string | undefined;
  onChange: (text: string) => void;
  testId: string;
}) {
  const describedBy = [hint ? `${id}-hint` : null, problem ? `${id}-problem` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="grid content-start gap-2">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} inputMode="numeric" value={value} onChange={(event) => onChange(event.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={describedBy} data-testid={testId} />
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p id={`${id}-problem`} className="text-xs text-destructive">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

function Results({ comparison, scenario }: { comparison: ReturnType<typeof compareModels>; scenario: CalculatorScenario }) {
  const { rows, baseline } = comparison;
  const cheapest = rows[0];
  const cheapestBatch = rows
    .filter((row): row is CalculatorRow & { batchPerMonthUsd: string } => row.batchPerMonthUsd !== null)
    .reduce<(CalculatorRow & { batchPerMonthUsd: string }) | undefined>(
      (best, row) => (!best || parseUsd(row.batchPerMonthUsd) < parseUsd(best.batchPerMonthUsd) ? row : best),
      undefined,
    );
  const baselineMonth = baseline.status === 'priced' ? parseUsd(baseline.perMonthUsd) : null;
  const cached = scenario.cachedTokens > 0;

  const columns: ColumnDef<CalculatorRow>[] = [
    {
      id: 'model',
      header: 'Model',
      accessorFn: (row) => row.displayName,
      cell: ({ row: { original: row } }) => (
        <div className="flex flex-col gap-1">
          <span className="font-medium">{row.displayName}</span>
          <span className="flex flex-wrap items-center gap-1 text-xs text-muted-foreground">
            {row.provider}
            {row.source === 'override' ? <Badge variant="outline">override</Badge> : null}
            {row.cheapestInTier ? (
              <Badge variant="success" data-testid={`calc-cheapest-${row.modelId}`}>
                cheapest {TIER_LABELS[row.tier ?? 'custom'].toLowerCase()}
              </Badge>
            ) : null}
          </span>
        </div>
      ),
    },
    { id: 'tier', header: 'Tier', accessorFn: (row) => TIER_LABELS[row.tier ?? 'custom'] },
    {
      id: 'perCall',
      header: 'Per call',
      accessorFn: (row) => row.perMonthSort,
      meta: { numeric: true },
      cell: ({ row: { original: row } }) => <span data-testid={`calc-call-${row.modelId}`}>{money(row.perCallUsd)}</span>,
    },
    {
      id: 'perDay',
      header: 'Per day',
      accessorFn: (row) => row.perMonthSort,
      meta: { numeric: true },
      cell: ({ row: { original: row } }) => <span data-testid={`calc-day-${row.modelId}`}>{money(row.perDayUsd)}</span>,
    },
    {
      id: 'perMonth',
      header: 'Per month',
      accessorFn: (row) => row.perMonthSort,
      meta: { numeric: true },
      cell: ({ row: { original: row } }) => (
        <span data-testid={`calc-month-${row.modelId}`} className={row.cheapestInTier ? 'font-semibold' : undefined}>
          {money(row.perMonthUsd)}
        </span>
      ),
    },
    {
      id: 'batch',
      header: 'Batch API / month',
      accessorFn: (row) => (row.batchPerMonthUsd === null ? Number.POSITIVE_INFINITY : Number(row.batchPerMonthUsd)),
      meta: { numeric: true },
      cell: ({ row: { original: row } }) =>
        row.batchPerMonthUsd === null ? (
          <span className="text-muted-foreground">no batch API</span>
        ) : (
          <span data-testid={`calc-batch-${row.modelId}`}>{money(row.batchPerMonthUsd)}</span>
        ),
    },
    ...(cached
      ? [
          {
            id: 'cacheSaves',
            header: 'Caching saves / month',
            accessorFn: (row: CalculatorRow) => Number(row.cachingSavesPerMonthUsd),
            meta: { numeric: true },
            cell: ({ row: { original: row } }: { row: { original: CalculatorRow } }) => (
              <span data-testid={`calc-cache-saves-${row.modelId}`}>{money(row.cachingSavesPerMonthUsd)}</span>
            ),
          } satisfies ColumnDef<CalculatorRow>,
        ]
      : []),
    {
      id: 'change',
      header: baseline.status === 'priced' ? `vs ${baseline.displayName}` : 'vs compared',
      accessorFn: (row) => (row.changePerMonthUsd === null ? 0 : Number(row.changePerMonthUsd)),
      meta: { numeric: true },
      cell: ({ row: { original: row } }) =>
        baselineMonth === null ? (
          <span className="text-muted-foreground">—</span>
        ) : (
          <span data-testid={`calc-change-${row.modelId}`} className={parseUsd(row.perMonthUsd) < baselineMonth ? 'text-success' : undefined}>
            {row.modelId === baseline.model ? 'compared' : formatUsdChange(parseUsd(row.perMonthUsd), baselineMonth)}
          </span>
        ),
    },
  ];

  return (
    <>
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat
          label={baseline.status === 'priced' ? `${baseline.displayName}, a month` : `${baseline.model}, a month`}
          value={<span data-testid="calc-baseline-month">{baseline.status === 'priced' ? money(baseline.perMonthUsd) : 'Unpriced'}</span>}
          hint={
            baseline.status === 'priced' ? (
              `${money(baseline.perCallUsd)} a call, ${money(baseline.perDayUsd)} a day`
            ) : (
              <>
                No price applies to {baseline.model}:{' '}
                <Link className="text-primary underline-offset-4 hover:underline" href={`/settings?model=${encodeURIComponent(baseline.model)}#prices`}>
                  add one
                </Link>
                .
              </>
            )
          }
        />
        {cheapest ? (
          <Stat
            label={`Cheapest: ${cheapest.displayName}`}
            value={<span data-testid="calc-cheapest-month">{money(cheapest.perMonthUsd)}</span>}
            hint={baselineMonth !== null && cheapest.modelId !== baseline.model ? `${formatUsdChange(parseUsd(cheapest.perMonthUsd), baselineMonth)} a month` : 'a month'}
          />
        ) : null}
        {cheapestBatch ? (
          <Stat
            label={`Cheapest on a batch API: ${cheapestBatch.displayName}`}
            value={money(cheapestBatch.batchPerMonthUsd)}
            hint="a month, for work that can wait up to a day"
          />
        ) : null}
      </div>

      <Card className="gap-2 py-3">
        <CardHeader className="pt-2">
          <CardTitle>Every model, cheapest month first</CardTitle>
          <CardDescription>The cheapest model of each tier is marked; check the quality of a cheaper tier on your own prompts before you route to it.</CardDescription>
        </CardHeader>
        <CardContent className="px-3">
          <DataTable
            columns={columns}
            data={rows}
            initialSorting={[{ id: 'perMonth', desc: false }]}
            rowTestId={(row) => `calc-row-${row.modelId}`}
            caption="Cost of the workload on every model: per call, per day, per month, on the batch API"
            emptyMessage="No model has a price at this time."
          />
        </CardContent>
      </Card>
    </>
  );
}

/** The calls in the other unit, for a sense of scale: "about 3,333 a day". */
function callsElsewhere(calls: number, per: CallsPer): string {
  if (!Number.isFinite(calls)) return '';
  return per === 'month' ? `About ${count(calls / DAYS_PER_MONTH)} a day.` : `${count(calls * DAYS_PER_MONTH)} a month.`;
}
