import { SearchX } from 'lucide-react';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

/** An alert link whose episode this project does not have: say why that happens and where to go. */
export default function AlertNotFound() {
  return (
    <>
      <PageHeader title="Alert not found" />
      <Card data-testid="alert-not-found">
        <CardHeader>
          <CardTitle className="flex items-center gap-2 text-base">
            <SearchX className="size-4 text-muted-foreground" aria-hidden="true" />
            This project has no alert episode with that id
          </CardTitle>
          <CardDescription>
            The link may come from another project or another Costscope installation, or have been cut short when it was copied.
          </CardDescription>
        </CardHeader>
        <CardContent className="text-sm">
          <Link href="/alerts" className="font-medium text-primary underline-offset-4 hover:underline">
            See all alerts
          </Link>
        </CardContent>
      </Card>
    </>
  );
}
