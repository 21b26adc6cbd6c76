// Next.js configuration. Types are checked by `npm run typecheck` (part of `npm test`), which
// covers the server and workers too, so the build does not check them a second time.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  devIndicators: false,
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
