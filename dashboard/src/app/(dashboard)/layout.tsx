import { LogOut } from 'lucide-react';
import { Suspense } from 'react';
import type * as React from 'react';
import { AppNav, BrandMark } from '@/components/app-nav';
import { ThemeToggle } from '@/components/theme-toggle';
import { Button } from '@/components/ui/button';

export default function DashboardLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="md:grid md:min-h-screen md:grid-cols-[14rem_1fr]">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-background focus:px-3 focus:py-2">
        Skip to content
      </a>
      <aside className="no-print flex flex-col gap-3 border-b bg-card p-3 md:sticky md:top-0 md:h-screen md:border-b-0 md:border-r">
        <BrandMark />
        <Suspense>
          <AppNav />
        </Suspense>
        <div className="mt-auto hidden flex-col gap-1 md:flex">
          <ThemeToggle />
          <form action="/logout" method="post">
            <Button type="submit" variant="ghost" size="sm" className="w-full justify-start">
              <LogOut aria-hidden="true" />
              Sign out
            </Button>
          </form>
        </div>
      </aside>
      <main id="main" className="min-w-0 p-4 sm:p-6 lg:p-8">
        {children}
        <div className="no-print mt-10 grid max-w-xs grid-cols-2 gap-2 md:hidden">
          <ThemeToggle />
          <form action="/logout" method="post">
            <Button type="submit" variant="ghost" size="sm">
              <LogOut aria-hidden="true" />
              Sign out
            </Button>
          </form>
        </div>
      </main>
    </div>
  );
}
