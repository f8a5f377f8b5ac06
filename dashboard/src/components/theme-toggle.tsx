'use client';

import { Monitor, Moon, Sun } from 'lucide-react';
import { useTheme } from 'next-themes';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';

const NEXT_THEME = { system: 'light', light: 'dark', dark: 'system' } as const;

/** Cycles system → light → dark; the system setting is the default. */
export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const current = (mounted ? theme : 'system') as keyof typeof NEXT_THEME;
  const Icon = current === 'dark' ? Moon : current === 'light' ? Sun : Monitor;
  return (
    <Button
      variant="ghost"
      size="sm"
      className="w-full justify-start"
      // The accessible name starts with the visible words, so a voice command saying them works.
      aria-label={`${current} theme: switch to ${NEXT_THEME[current] ?? 'light'}`}
      onClick={() => setTheme(NEXT_THEME[current] ?? 'light')}
    >
      <Icon aria-hidden="true" />
      <span className="capitalize">{current} theme</span>
    </Button>
  );
}
