import { AsyncLocalStorage } from 'node:async_hooks';

// Imported first by a worker thread's program: Next.js's server modules expect the global that
// its server sets up on the main thread before any of them load (they create their request stores
// from it while being imported), and a worker thread starts without it.
const scope = globalThis as typeof globalThis & { AsyncLocalStorage?: typeof AsyncLocalStorage };
scope.AsyncLocalStorage ??= AsyncLocalStorage;
