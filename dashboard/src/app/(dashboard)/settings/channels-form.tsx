'use client';

import { Send } from 'lucide-react';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { ChannelFormValues, FieldErrors, FormAnswer } from '@/lib/shape/settings';
import { saveChannels, sendTestMessage, type TestSendAnswer } from './actions';
import { FieldError, FormMessage, SubmitButton, invalidProps } from './form-parts';

type ChannelField = keyof ChannelFormValues;

/**
 * Where alerts go. Secrets arrive masked from the API (`xoxb-…7f3a`) and are shown masked;
 * sending the mask back keeps the stored secret, so this page never holds one.
 */
export function ChannelsForm({ initial }: { initial: ChannelFormValues }) {
  const [answer, action, pending] = useActionState<FormAnswer<ChannelFormValues>, FormData>(saveChannels, { status: 'idle' });
  const values = answer.submitted ?? initial;
  const errors = answer.status === 'error' ? answer.fieldErrors : undefined;
  const field = (name: ChannelField, label: string, options: { hint?: string; placeholder?: string; secret?: boolean } = {}) => (
    <TextField name={name} label={label} defaultValue={values[name]} errors={errors} {...options} />
  );

  return (
    <div className="grid gap-5">
      <form action={action} className="grid gap-4">
        <p className="text-sm text-muted-foreground">
          Alerts go to every channel set here, independently. A channel left blank uses the server’s environment (<code className="font-mono text-xs">SLACK_BOT_TOKEN</code>,{' '}
          <code className="font-mono text-xs">SLACK_WEBHOOK_URL</code>, <code className="font-mono text-xs">SMTP_URL</code>…), if set there.
        </p>
        <div key={answer.at ?? 'initial'} className="grid gap-4 lg:grid-cols-2">
          <fieldset className="grid content-start gap-3 rounded-lg border p-4">
            <legend className="px-1 text-sm font-semibold">Slack app</legend>
            {field('slack.botToken', 'Bot token', {
              placeholder: 'xoxb-…',
              secret: true,
              hint: initial['slack.botToken'] ? 'Shown masked. Keep it as is to keep the stored token, or paste a new one.' : 'The app’s Bot User OAuth Token, with chat:write.',
            })}
            {field('slack.channel', 'Channel', { placeholder: '#cost-alerts', hint: 'Its name, or its id (C0123ABCD), which survives renames.' })}
          </fieldset>
          <fieldset className="grid content-start gap-3 rounded-lg border p-4">
            <legend className="px-1 text-sm font-semibold">Slack incoming webhook</legend>
            {field('webhook.url', 'Webhook URL', {
              placeholder: 'https://hooks.slack.com/services/…',
              secret: true,
              hint: initial['webhook.url'] ? 'Shown masked. Keep it as is to keep the stored URL, or paste a new one.' : 'The URL is itself the secret.',
            })}
          </fieldset>
          <fieldset className="rounded-lg border p-4 lg:col-span-2">
            <legend className="px-1 text-sm font-semibold">Email</legend>
            <div className="grid items-start gap-3 lg:grid-cols-3">
            {field('email.from', 'From', { placeholder: 'Costscope <alerts@example.com>' })}
            {field('email.to', 'To', { placeholder: 'team@example.com, oncall@example.com', hint: 'Comma-separated, at most 50.' })}
            {field('email.smtpUrl', 'SMTP URL (optional)', {
              placeholder: 'smtp://user:pass@smtp.example.com:587',
              secret: true,
              hint: initial['email.smtpUrl'] ? 'Password shown masked; keep it as is to keep it.' : 'Blank: the server’s SMTP_URL.',
            })}
            </div>
          </fieldset>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pending={pending} pendingText="Saving…" data-testid="channels-save">
            Save channels
          </SubmitButton>
          <FormMessage status={answer.status} message={answer.message} testId="channels-message" />
        </div>
      </form>
      <div className="grid gap-3 border-t pt-4">
        <p className="text-sm text-muted-foreground">Send a test message through a channel as it is saved (save your changes first).</p>
        <div className="grid gap-3 lg:grid-cols-3">
          <TestSend channel="slack" label="Slack app" />
          <TestSend channel="webhook" label="Slack webhook" />
          <TestSend channel="email" label="Email" />
        </div>
      </div>
    </div>
  );
}

function TextField({
  name,
  label,
  defaultValue,
  errors,
  hint,
  placeholder,
  secret,
}: {
  name: ChannelField;
  label: string;
  defaultValue: string;
  errors: FieldErrors | undefined;
  hint?: string;
  placeholder?: string;
  secret?: boolean;
}) {
  const id = `channels-${name.replace('.', '-')}`;
  return (
    <div className="grid gap-1">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        name={name}
        defaultValue={defaultValue}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        className={secret ? 'font-mono text-xs' : undefined}
        {...invalidProps(id, errors, name, hint ? `${id}-hint` : undefined)}
      />
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      <FieldError id={id} errors={errors} name={name} />
    </div>
  );
}

function TestSend({ channel, label }: { channel: 'slack' | 'webhook' | 'email'; label: string }) {
  const [answer, action, pending] = useActionState<TestSendAnswer, FormData>(sendTestMessage, { status: 'idle' });
  return (
    <form action={action} className="grid content-start gap-2">
      <input type="hidden" name="channel" value={channel} />
      <Button type="submit" variant="outline" size="sm" disabled={pending} className="justify-self-start" data-testid={`test-send-${channel}`}>
        <Send aria-hidden="true" />
        {pending ? `Sending to ${label}…` : `Send a test: ${label}`}
      </Button>
      <FormMessage status={answer.status} message={answer.message} testId={`test-send-${channel}-message`} />
    </form>
  );
}
