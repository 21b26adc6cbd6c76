// The contract between the server and its dataset-import process (workers/import-main.ts): the
// job, its progress, the dataset it staged and its failure, as zod schemas checked on arrival.
import { z } from 'zod';

/** Caps that keep one import from exhausting disk or memory. */
export const importLimitsSchema = z.object({
  /** Size of an uploaded or given .zip file. */
  maxArchiveBytes: z.number().int().positive().default(4 * 1024 ** 3),
  /** Sum of the uncompressed sizes of everything extracted from one archive. */
  maxExtractedBytes: z.number().int().positive().default(8 * 1024 ** 3),
  /** One file (image or volume) after extraction. */
  maxFileBytes: z.number().int().positive().default(512 * 1024 ** 2),
  maxFiles: z.number().int().positive().default(200_000),
  /** Decoded pixels of one 2-D image (refused before decoding). */
  maxPixels: z.number().int().positive().default(40_000_000),
});
export type ImportLimits = z.infer<typeof importLimitsSchema>;

export const importPhases = ['extract', 'scan', 'decode', 'group', 'write'] as const;
export type ImportPhase = (typeof importPhases)[number];

export const reportEntrySchema = z.object({
  path: z.string(),
  status: z.enum(['imported', 'skipped']),
  reason: z.string().optional(),
  /** The first file of this image's near-duplicate group, when it is not this file. */
  duplicateOf: z.string().optional(),
});
export type ReportEntry = z.infer<typeof reportEntrySchema>;

export const importJobSchema = z.object({
  /** Absolute path of a folder, a .zip archive or a NIfTI volume. */
  source: z.string().min(1),
  /** A label mask for a single NIfTI volume (absolute path). */
  mask: z.string().min(1).nullable(),
  size: z.number().int().positive(),
  seed: z.number().int().min(0),
  limits: importLimitsSchema,
  /** A folder of its own under DATA_DIR/tmp: the archive is extracted and the dataset written there. */
  staging: z.string().min(1),
  /** Content hashes already stored: such content is reported, not written again. */
  knownHashes: z.array(z.string()),
});
export type ImportJob = z.infer<typeof importJobSchema>;

const splitSchema = z.object({ seed: z.number().int(), train: z.array(z.number().int()), val: z.array(z.number().int()), test: z.array(z.number().int()) });

/** Where in its staging folder the import process writes the dataset version's files. */
export const STAGED_DATASET_FOLDER = 'dataset';

/** A prepared dataset version. `written`: its files are in the staging folder's
 * STAGED_DATASET_FOLDER; false when the content was in `knownHashes`. */
export const stagedImportSchema = z.object({
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  written: z.boolean(),
  imageSize: z.number().int().positive(),
  count: z.number().int().positive(),
  classCounts: z.object({ healthy: z.number().int().min(0), tumor: z.number().int().min(0), unlabelled: z.number().int().min(0) }),
  skipped: z.number().int().min(0),
  duplicateGroups: z.number().int().min(0),
  report: z.array(reportEntrySchema),
  splits: splitSchema,
  anomalySplits: splitSchema,
});
export type StagedImport = z.infer<typeof stagedImportSchema>;

/** Server -> import process. */
export const importRequestSchema = z.object({ type: z.literal('import'), job: importJobSchema });
export type ImportRequest = z.infer<typeof importRequestSchema>;

/** Import process -> server. `input` failures are the user's to fix (ImportError, same message);
 * `internal` ones are bugs or broken dependencies. */
export const importReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), phase: z.enum(importPhases), done: z.number().int().min(0), total: z.number().int().min(0) }),
  z.object({ type: z.literal('staged'), result: stagedImportSchema }),
  z.object({ type: z.literal('failed'), kind: z.enum(['input', 'internal']), message: z.string() }),
]);
export type ImportReply = z.infer<typeof importReplySchema>;
