import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="grid gap-2">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="text-muted-foreground">
        Nothing here by that name. <Link className="text-primary underline" href="/">Back to the overview</Link>.
      </p>
    </div>
  );
}
