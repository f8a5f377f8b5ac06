import type { PriceOverrideInput } from '@costscope/core';
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { PageHeader } from '@/components/page-header';
import { ApiErrorBanner } from '@/components/states';
import { api } from '@/lib/api/client';
import { featureUsageFromCosts } from '@/lib/shape/calculator';
import { load } from '@/lib/server/page-data';
import { CalculatorView } from './calculator-view';

export const metadata: Metadata = { title: 'Calculator' };

const DAY_MS = 86_400_000;

/**
 * The article's closing advice: before scaling a workload, price it on every model. The features'
 * real last 30 days and the project's price overrides come from the API here; the pricing itself
 * runs in the browser (core's what-if pricing), so typing never waits for the server.
 */
export default async function CalculatorPage() {
  // Nothing in the URL is read here, so without this the page would be prerendered at build time,
  // without the features, the overrides or today's prices.
  await connection();
  const now = new Date();
  const from = new Date(now.getTime() - 30 * DAY_MS);
  const loaded = await load(async () => {
    const [byFeature, byFeatureAndModel, prices] = await Promise.all([
      api.costs({ from, to: now, groupBy: ['feature'] }),
      api.costs({ from, to: now, groupBy: ['feature', 'model'] }),
      api.setting<PriceOverrideInput[]>('prices'),
    ]);
    return { features: featureUsageFromCosts(byFeature.rows, byFeatureAndModel.rows), overrides: prices.value };
  });

  return (
    <>
      <PageHeader
        title="Calculator"
        description="Price a workload on every model before you scale it: per call, per day and per month, with cached input and the batch discount."
      />
      <div className="grid grid-cols-1 gap-6">
        {loaded.ok ? null : (
          <ApiErrorBanner message={`${loaded.error.message} The calculator still works with the catalog’s prices, without your features and price overrides.`} at={loaded.error.at} />
        )}
        <Suspense>
          <CalculatorView at={now.toISOString()} overrides={loaded.ok ? loaded.data.overrides : []} features={loaded.ok ? loaded.data.features : []} />
        </Suspense>
      </div>
    </>
  );
}
