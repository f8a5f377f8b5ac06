'use client';

import { BarChart3, Bell, Calculator, CalendarCheck, Compass, Cpu, LayoutDashboard, Layers, PiggyBank, Settings, Users } from 'lucide-react';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { cn } from '@/lib/utils';

export const NAV_ITEMS = [
  { href: '/', label: 'Overview', icon: LayoutDashboard },
  { href: '/features', label: 'Features', icon: Layers },
  { href: '/explore', label: 'Explore', icon: Compass },
  { href: '/models', label: 'Models', icon: Cpu },
  { href: '/users', label: 'Users', icon: Users },
  { href: '/alerts', label: 'Alerts', icon: Bell },
  { href: '/savings', label: 'Savings', icon: PiggyBank },
  { href: '/weekly', label: 'Weekly review', icon: CalendarCheck },
  { href: '/calculator', label: 'Calculator', icon: Calculator },
  { href: '/settings', label: 'Settings', icon: Settings },
] as const;

/** Carries the time range from page to page, so switching pages keeps the period in view. */
const RANGE_KEYS = ['range', 'from', 'to'];

export function AppNav() {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const carried = new URLSearchParams();
  for (const key of RANGE_KEYS) {
    const value = searchParams.get(key);
    if (value) carried.set(key, value);
  }
  const suffix = carried.size > 0 ? `?${carried.toString()}` : '';
  return (
    <nav aria-label="Main" className="flex gap-1 overflow-x-auto md:flex-col md:overflow-visible">
      {NAV_ITEMS.map(({ href, label, icon: Icon }) => {
        const active = href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
        const keepsRange = href !== '/settings' && href !== '/calculator' && href !== '/weekly';
        return (
          <Link
            key={href}
            href={`${href}${keepsRange ? suffix : ''}`}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'flex shrink-0 items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 outline-none',
              active && 'bg-accent text-accent-foreground',
            )}
          >
            <Icon className="size-4" aria-hidden="true" />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}

export function BrandMark() {
  return (
    <Link href="/" className="flex items-center gap-2 px-3 py-1 font-semibold outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 rounded-md">
      <BarChart3 className="size-5 text-primary" aria-hidden="true" />
      Costscope
    </Link>
  );
}
