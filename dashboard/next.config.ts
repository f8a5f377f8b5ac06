import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const workspaceRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const nextConfig: NextConfig = {
  // Core ships TypeScript source (no build step inside the workspace).
  transpilePackages: ['@costscope/core'],
  poweredByHeader: false,
  // Several dev servers (one per developer task) can run side by side, each with its own output.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // The container image (deploy/Dockerfile) serves Next's standalone output: a server.js with only
  // the files it traced. `npm start` keeps the ordinary build.
  ...(process.env.COSTSCOPE_DASHBOARD_OUTPUT === 'standalone' ? { output: 'standalone' as const } : {}),
  reactStrictMode: true,
  turbopack: { root: workspaceRoot },
  typescript: {
    // Turbopack resolves imports the way this tsconfig says: NodeNext, so core's `./x.js`
    // specifiers find their `.ts` sources (bundler resolution would not). Types are checked by the
    // `typecheck` target against tsconfig.json, not during the build.
    tsconfigPath: 'tsconfig.turbopack.json',
    ignoreBuildErrors: true,
  },
  // The dashboard is served beside the server on a private network or behind the operator's
  // proxy; nothing is fetched from outside at build or run time (no remote fonts or images).
  images: { unoptimized: true },
  logging: { fetches: { fullUrl: false } },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
