import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);

/** @type {import('next').NextConfig} */
const config = {
  // This app sits inside Latchkey's repository: its own folder is the workspace root.
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default config;
