// The worker agents' HTTP routes (server/http/worker-files.ts), as both sides name them.

/** The files of a dataset version an agent fetches: what a job reads (workers/data/dataset-store.ts). */
export const DATASET_BUNDLE_FILES = ['images.u8', 'labels.u8', 'meta.json'] as const;

export const BUNDLE_SHA_HEADER = 'x-bundle-sha256';
export const WORKER_ID_HEADER = 'x-worker-id';

export const workerRoutes = {
  dataset: (contentHash: string) => `/api/worker/datasets/${contentHash}`,
  bundle: (runId: string, name: string) => `/api/worker/runs/${encodeURIComponent(runId)}/bundles/${name}`,
};
