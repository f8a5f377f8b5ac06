'use client';

import { Check, Copy, KeyRound } from 'lucide-react';
import { useActionState, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { KeyScope } from '@/lib/api/types';
import { KEY_SCOPE_CHOICES, type FormAnswer } from '@/lib/shape/settings';
import { createKey, revokeKey, type CreateKeyAnswer } from './actions';
import { FieldError, FormMessage, SubmitButton, invalidProps } from './form-parts';

export type KeyListing = { keyId: string; name: string; keyPrefix: string; scope: KeyScope; created: string; revoked: string | null; usedByDashboard: boolean };

/**
 * The project's API keys: create one with its scope (its key shown once, here), revoke one after
 * confirming. New keys default to `ingest`, the least a key may do, since most keys ship in apps.
 */
export function KeysPanel({ keys, endpoint }: { keys: KeyListing[]; endpoint: string }) {
  const [created, createAction, creating] = useActionState<CreateKeyAnswer, FormData>(createKey, { status: 'idle' });
  const [revoked, revokeAction, revoking] = useActionState<FormAnswer, FormData>(revokeKey, { status: 'idle' });
  const createErrors = created.status === 'error' ? created.fieldErrors : undefined;

  return (
    <div className="grid gap-5">
      <p className="text-sm text-muted-foreground">
        Apps send their calls to <code className="font-mono text-xs">{endpoint}/v1/traces</code> with <code className="font-mono text-xs">Authorization: Bearer &lt;key&gt;</code>. Give
        each app its own key, so one can be revoked without touching the others.
      </p>

      <form action={createAction} className="grid gap-2">
        <div key={created.at ?? 'initial'} className="flex flex-wrap items-end gap-3">
          <div className="grid min-w-56 flex-1 gap-1 sm:max-w-sm">
            <Label htmlFor="key-name">New key’s name</Label>
            <Input id="key-name" name="name" placeholder="support-app production" maxLength={100} autoComplete="off" defaultValue={created.status === 'error' ? created.submitted?.name : ''} {...invalidProps('key-name', createErrors, 'name')} />
            <FieldError id="key-name" errors={createErrors} name="name" />
          </div>
        </div>
        <fieldset key={`scope-${created.at ?? 'initial'}`} className="grid gap-1.5" aria-describedby={createErrors?.scope ? 'key-scope-error' : undefined}>
          <legend className="mb-1 text-sm font-medium">Scope</legend>
          {KEY_SCOPE_CHOICES.map((choice) => (
            <label key={choice.scope} className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                name="scope"
                value={choice.scope}
                defaultChecked={choice.scope === (created.status === 'error' ? created.submitted?.scope : 'ingest')}
                className="mt-1 accent-primary"
                data-testid={`key-scope-${choice.scope}`}
              />
              <span>
                <span className="font-medium">{choice.label}</span> <span className="text-muted-foreground">— {choice.description}</span>
              </span>
            </label>
          ))}
          <FieldError id="key-scope" errors={createErrors} name="scope" />
        </fieldset>
        <div>
          <SubmitButton pending={creating} pendingText="Creating…" data-testid="key-create">
            <KeyRound aria-hidden="true" />
            Create key
          </SubmitButton>
        </div>
        <FormMessage status={created.status} message={created.message} testId="key-create-message" />
        {created.created ? <NewKey name={created.created.name} scope={created.created.scope} secret={created.created.key} /> : null}
      </form>

      <div className="grid gap-2">
        <Table>
          <caption className="sr-only">API keys of this project</caption>
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead>Name</TableHead>
              <TableHead>Key</TableHead>
              <TableHead>Scope</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {keys.length === 0 ? (
              <TableRow>
                <TableCell colSpan={6} className="py-6 text-center text-muted-foreground">
                  No keys listed.
                </TableCell>
              </TableRow>
            ) : (
              keys.map((key) => (
                <TableRow key={key.keyId} data-testid={`key-row-${key.keyId}`} className={key.revoked ? 'text-muted-foreground' : undefined}>
                  <TableCell className="font-medium">
                    {key.name}
                    {key.usedByDashboard ? (
                      <Badge variant="secondary" className="ml-2">
                        this dashboard
                      </Badge>
                    ) : null}
                  </TableCell>
                  <TableCell className="font-mono text-xs">{key.keyPrefix}…</TableCell>
                  <TableCell data-testid={`key-scope-of-${key.keyId}`}>
                    <Badge variant={key.scope === 'admin' ? 'default' : 'outline'}>{key.scope}</Badge>
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{key.created}</TableCell>
                  <TableCell className="whitespace-nowrap">{key.revoked ? `Revoked ${key.revoked}` : <Badge variant="success">Active</Badge>}</TableCell>
                  <TableCell className="text-right">
                    {key.revoked || key.usedByDashboard ? null : (
                      <details className="group inline-block text-left">
                        <summary className="cursor-pointer list-none rounded-md px-2 py-1 text-sm font-medium text-destructive outline-none hover:bg-destructive/10 focus-visible:ring-[3px] focus-visible:ring-ring/50 [&::-webkit-details-marker]:hidden">
                          Revoke…
                        </summary>
                        <form action={revokeAction} className="mt-2 grid max-w-64 gap-2 rounded-md border bg-card p-3 text-sm shadow-sm">
                          <input type="hidden" name="keyId" value={key.keyId} />
                          <p className="whitespace-normal">Revoke “{key.name}”? Apps sending with it are refused within 10 seconds. This cannot be undone.</p>
                          <Button type="submit" variant="destructive" size="sm" disabled={revoking} data-testid={`key-revoke-${key.keyId}`}>
                            {revoking ? 'Revoking…' : 'Yes, revoke it'}
                          </Button>
                        </form>
                      </details>
                    )}
                  </TableCell>
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
        <FormMessage status={revoked.status} message={revoked.message} testId="key-revoke-message" />
      </div>
    </div>
  );
}

/** The new key, once: the server does not keep it, so it cannot be shown again. */
function NewKey({ name, scope, secret }: { name: string; scope: KeyScope; secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="grid gap-2 rounded-lg border border-warning/50 bg-warning/10 p-3" data-testid="new-key">
      <p className="text-sm font-medium">
        The key for “{name}”, scope <span data-testid="new-key-scope">{scope}</span> (shown once):
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded-md bg-background px-3 py-2 font-mono text-xs" data-testid="new-key-value">
          {secret}
        </code>
        <Button
          type="button"
          variant="outline"
          size="sm"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
          }}
        >
          {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
    </div>
  );
}
