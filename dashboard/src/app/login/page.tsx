import type { Metadata } from 'next';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle className="text-lg">Costscope</CardTitle>
          <CardDescription>
            Sign in with the admin password. On first start it was printed in the terminal and written to{' '}
            <code className="font-mono text-xs">.costscope/credentials.json</code>.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <LoginForm next={typeof next === 'string' ? next : '/'} />
        </CardContent>
      </Card>
    </main>
  );
}
