'use client';

import { CheckCircle2, AlertTriangle } from 'lucide-react';
import type * as React from 'react';
import { Button } from '@/components/ui/button';
import type { FieldErrors } from '@/lib/shape/settings';
import { cn } from '@/lib/utils';

/**
 * The answer of a settings form, announced to screen readers: a polite status when saved, an
 * alert when not. Empty until the form has been sent once.
 */
export function FormMessage({ status, message, testId }: { status: 'idle' | 'saved' | 'error' | 'sent' | 'failed'; message?: string; testId?: string }) {
  const ok = status === 'saved' || status === 'sent';
  return (
    <div role={ok ? 'status' : 'alert'} aria-live={ok ? 'polite' : 'assertive'} data-testid={testId} className="min-h-5 text-sm">
      {message && status !== 'idle' ? (
        <p className={cn('flex items-start gap-1.5', ok ? 'text-success' : 'text-destructive')}>
          {ok ? <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden="true" /> : <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />}
          <span>{message}</span>
        </p>
      ) : null}
    </div>
  );
}

export function SubmitButton({ pending, children, pendingText, ...props }: React.ComponentProps<typeof Button> & { pending: boolean; pendingText: string }) {
  return (
    <Button type="submit" disabled={pending} aria-disabled={pending} {...props}>
      {pending ? pendingText : children}
    </Button>
  );
}

/** A field's error, linked to its input through `aria-describedby` (`${id}-error`). */
export function FieldError({ id, errors, name }: { id: string; errors: FieldErrors | undefined; name: string }) {
  const message = errors?.[name];
  if (!message) return null;
  return (
    <p id={`${id}-error`} className="text-xs text-destructive" data-field-error={name}>
      {message}
    </p>
  );
}

/** The ARIA attributes of an input whose error `FieldError` shows. */
export function invalidProps(id: string, errors: FieldErrors | undefined, name: string, hintId?: string) {
  const invalid = Boolean(errors?.[name]);
  const describedBy = [hintId, invalid ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return { 'aria-invalid': invalid ? true : undefined, 'aria-describedby': describedBy || undefined } as const;
}
