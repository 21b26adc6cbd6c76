// Entry point of a data-parallel helper thread. Node loads a Worker's entry file without the
// parent's tsx loader, so this plain-JS file registers tsx in the thread, then imports the
// TypeScript module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
