// Limits that keep an import from exhausting disk or memory, and the error every import step
// throws for input a user must fix (nothing is written when one is thrown).
import { z } from 'zod';

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

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export type ImportPhase = 'extract' | 'scan' | 'decode' | 'group' | 'write';
export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;
