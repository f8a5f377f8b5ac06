import { AlertTriangle, PlugZap } from 'lucide-react';
import Link from 'next/link';
import type * as React from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

/** The server did not answer, or refused: a clear banner with the reason and when, never a stack. */
export function ApiErrorBanner({ message, at }: { message: string; at?: string }) {
  return (
    <div role="alert" className="flex items-start gap-3 rounded-lg border border-destructive/40 bg-destructive/10 p-4 text-sm">
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden="true" />
      <div>
        <p className="font-medium">Costscope could not load this page’s figures.</p>
        <p className="mt-1 text-muted-foreground">
          {message}
          {at ? ` (${new Date(at).toUTCString()})` : ''}
        </p>
        <p className="mt-1 text-muted-foreground">Nothing is lost: calls sent meanwhile are kept by the server’s spool. Reload when it is back.</p>
      </div>
    </div>
  );
}

/**
 * A fresh install: no calls yet. Shows how to send the first ones instead of empty charts.
 * `endpoint` is the server URL apps should export to.
 */
export function NoDataYet({ endpoint, what = 'calls' }: { endpoint: string; what?: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2 text-base">
          <PlugZap className="size-4 text-primary" aria-hidden="true" />
          No {what} in this range yet
        </CardTitle>
        <CardDescription>Instrument your app with one import; its OpenAI and Anthropic calls show up here, priced, within seconds.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3 text-sm">
        <pre className="overflow-x-auto rounded-md bg-muted p-3 font-mono text-xs">
          {`COSTSCOPE_ENDPOINT=${endpoint} COSTSCOPE_API_KEY=<ingest key> \\\n  node --import @costscope/sdk/register app.js`}
        </pre>
        <pre className="overflow-x-auto rounded-md bg-muted p-3 font-mono text-xs">
          {`import { withTags } from '@costscope/sdk';\n\nawait withTags({ feature: 'search', endpoint: '/api/search', userId, userTier: 'paid' }, () =>\n  openai.chat.completions.create({ model: 'gpt-5', messages }),\n);`}
        </pre>
        <p className="text-muted-foreground">
          Any OpenTelemetry exporter works too: send OTLP/HTTP to <code className="font-mono">{endpoint}/v1/traces</code> with{' '}
          <code className="font-mono">Authorization: Bearer &lt;key&gt;</code>. Keys are in <Link className="underline" href="/settings#keys">Settings</Link>.
        </p>
      </CardContent>
    </Card>
  );
}

/** Unpriced calls are never a plain $0: they are called out with the way to price them. */
export function UnpricedNotice({ requests, models }: { requests: number; models?: readonly string[] }) {
  if (requests <= 0) return null;
  return (
    <div role="status" className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-lg border border-warning/50 bg-warning/10 px-4 py-3 text-sm">
      <AlertTriangle className="size-4 shrink-0 text-warning" aria-hidden="true" />
      <span>
        <strong className="font-medium">{requests.toLocaleString('en-US')} unpriced call{requests === 1 ? '' : 's'}</strong>
        {models && models.length > 0 ? ` (${models.slice(0, 3).join(', ')}${models.length > 3 ? ` and ${models.length - 3} more` : ''})` : ''}: their
        cost is not in the totals, which are a floor.
      </span>
      <Link href="/settings#prices" className="font-medium text-primary underline-offset-4 hover:underline">
        Add a price
      </Link>
    </div>
  );
}

export function Stat({ label, value, hint, children }: { label: string; value: React.ReactNode; hint?: React.ReactNode; children?: React.ReactNode }) {
  return (
    <Card className="gap-2">
      <CardHeader>
        <CardDescription>{label}</CardDescription>
        <div className="text-2xl font-semibold tabular" data-stat={label}>
          {value}
        </div>
      </CardHeader>
      {hint || children ? (
        <CardContent className="text-sm text-muted-foreground">
          {hint}
          {children}
        </CardContent>
      ) : null}
    </Card>
  );
}
