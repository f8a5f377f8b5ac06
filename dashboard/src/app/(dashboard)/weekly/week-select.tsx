'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { NativeSelect } from '@/components/ui/native-select';

/** Jumps to another week's review; the week lives in the URL (`?week=2026-W47`) so it can be shared. */
export function WeekSelect({ week, options }: { week: string; options: ReadonlyArray<{ week: string; label: string }> }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <span className="flex items-center gap-2" aria-busy={pending}>
      <label htmlFor="weekly-week" className="sr-only">
        Week
      </label>
      <NativeSelect
        id="weekly-week"
        value={week}
        onChange={(event) => {
          const next = event.target.value;
          startTransition(() => router.push(`/weekly?week=${encodeURIComponent(next)}`));
        }}
      >
        {options.map((option) => (
          <option key={option.week} value={option.week}>
            {option.label}
          </option>
        ))}
      </NativeSelect>
      {pending ? <span className="text-xs text-muted-foreground">Loading…</span> : null}
    </span>
  );
}
