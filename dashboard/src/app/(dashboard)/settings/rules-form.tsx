'use client';

import { useActionState } from 'react';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { REPEAT_FIELD, RULE_SECTIONS, type FieldErrors, type FormAnswer, type RuleField, type RuleFormValues } from '@/lib/shape/settings';
import { saveRules } from './actions';
import { FieldError, FormMessage, SubmitButton, invalidProps } from './form-parts';

const idOf = (name: string) => `rules-${name.replace('.', '-')}`;

/** Each alert rule's switch, thresholds and windows, saved together. */
export function RulesForm({ initial }: { initial: RuleFormValues }) {
  const [answer, action, pending] = useActionState<FormAnswer<RuleFormValues>, FormData>(saveRules, { status: 'idle' });
  // After an answer, the fields show what was sent (or what was stored): React resets a form
  // once its action returns, to these defaults.
  const values = answer.submitted ?? initial;
  const errors = answer.status === 'error' ? answer.fieldErrors : undefined;

  return (
    <form action={action} className="grid gap-5">
      <div key={answer.at ?? 'initial'} className="grid gap-5">
        <div className="grid gap-1 sm:max-w-sm">
          <Label htmlFor={idOf(REPEAT_FIELD)}>Repeat a firing alert every (minutes)</Label>
          <Input
            id={idOf(REPEAT_FIELD)}
            name={REPEAT_FIELD}
            inputMode="numeric"
            defaultValue={String(values[REPEAT_FIELD] ?? '')}
            className="tabular"
            {...invalidProps(idOf(REPEAT_FIELD), errors, REPEAT_FIELD, `${idOf(REPEAT_FIELD)}-hint`)}
          />
          <p id={`${idOf(REPEAT_FIELD)}-hint`} className="text-xs text-muted-foreground">
            While a rule holds, its alert is sent again this often; the resolved message goes out once.
          </p>
          <FieldError id={idOf(REPEAT_FIELD)} errors={errors} name={REPEAT_FIELD} />
        </div>
        <div className="grid gap-4 lg:grid-cols-2">
          {RULE_SECTIONS.map((section) => {
            const enabledName = `${section.rule}.enabled`;
            return (
              <fieldset key={section.rule} className="grid content-start gap-3 rounded-lg border p-4" data-testid={`rule-${section.rule}`}>
                <legend className="px-1 text-sm font-semibold">{section.title}</legend>
                <div className="flex items-start justify-between gap-3">
                  <p className="text-xs text-muted-foreground">{section.description}</p>
                  <label className="flex shrink-0 items-center gap-2 text-sm font-medium">
                    <input type="checkbox" name={enabledName} defaultChecked={values[enabledName] === true} className="size-4 accent-primary" />
                    On
                  </label>
                </div>
                <div className="grid gap-3 sm:grid-cols-2">
                  {section.fields.map((field) => (
                    <RuleInput key={field.name} name={`${section.rule}.${field.name}`} field={field} value={values[`${section.rule}.${field.name}`]} errors={errors} />
                  ))}
                </div>
              </fieldset>
            );
          })}
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={pending} pendingText="Saving…" data-testid="rules-save">
          Save alert rules
        </SubmitButton>
        <FormMessage status={answer.status} message={answer.message} testId="rules-message" />
      </div>
    </form>
  );
}

function RuleInput({ name, field, value, errors }: { name: string; field: RuleField; value: string | boolean | undefined; errors: FieldErrors | undefined }) {
  const id = idOf(name);
  if (field.kind === 'boolean') {
    return (
      <label className="flex items-center gap-2 text-sm sm:col-span-2">
        <input type="checkbox" id={id} name={name} defaultChecked={value === true} className="size-4 accent-primary" />
        {field.label}
      </label>
    );
  }
  return (
    <div className="grid content-start gap-1">
      <Label htmlFor={id} className="block text-xs leading-snug">
        {field.label}
        {field.unit ? <span className="font-normal text-muted-foreground"> ({field.unit})</span> : null}
      </Label>
      <Input
        id={id}
        name={name}
        inputMode="decimal"
        defaultValue={typeof value === 'string' ? value : ''}
        className="h-8 tabular"
        {...invalidProps(id, errors, name)}
      />
      <FieldError id={id} errors={errors} name={name} />
    </div>
  );
}
