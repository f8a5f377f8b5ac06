'use client';

import { Button } from '@/components/ui/button';
import { ApiErrorBanner } from '@/components/states';

/** A bug, not an API failure (those render their own banner): say so plainly, never a stack. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="grid gap-4">
      <ApiErrorBanner message={`Something went wrong while drawing this page${error.digest ? ` (reference ${error.digest})` : ''}. The server log has the details.`} />
      <div>
        <Button variant="outline" onClick={reset}>
          Try again
        </Button>
      </div>
    </div>
  );
}
