// A password-step worker that takes every step and never answers (a stuck one).
import { parentPort } from 'node:worker_threads';

parentPort.on('message', () => undefined);
