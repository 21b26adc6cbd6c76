// A generator's quality on validation, measured during training every `qualityEvery` epochs and
// kept in each checkpoint's meta.json (so the server reads it without re-measuring), and the rule
// that picks the checkpoint a synthesis run uses by default. Written by the train-generator job,
// read by the server and the synthesis form.
import { z } from 'zod';

export const epochQualitySchema = z.object({
  epoch: z.number().int().min(1),
  /** The training step the quality points were streamed at (the epoch's last). */
  step: z.number().int().min(0),
  fid: z.number(),
  kid: z.number(),
  precision: z.number(),
  recall: z.number(),
  modeCollapseLikely: z.boolean(),
  /** Images compared: the fixed-seed sample and the real validation images of the class. */
  samples: z.number().int().min(0),
  realVal: z.number().int().min(0),
});
export type EpochQuality = z.infer<typeof epochQualitySchema>;

/** What a checkpoint's meta.json says about quality: the epoch's own measure (when it was
 * measured) and every measure of the run up to that epoch, so the last checkpoint holds the curve. */
export const checkpointQualityMetaSchema = z.object({
  quality: epochQualitySchema.nullable().optional(),
  qualityHistory: z.array(epochQualitySchema).optional(),
});

/** The rule: best = lowest FID among the measured epochs not flagged for mode collapse (all of
 * them when every one is flagged), ties to the later epoch (trained longer at equal quality). FID:
 * it moves with both realism and diversity, where precision or recall alone reward a collapsed or
 * a blurred generator; the collapse flag keeps a low FID of a few good modes from winning. Only
 * epochs in `among` count (the kept checkpoints); null when none was measured. */
export function bestQualityEpoch(measured: EpochQuality[], among?: number[]): EpochQuality | null {
  const candidates = measured.filter((q) => (!among || among.includes(q.epoch)) && Number.isFinite(q.fid));
  const healthy = candidates.filter((q) => !q.modeCollapseLikely);
  let best: EpochQuality | null = null;
  for (const q of healthy.length > 0 ? healthy : candidates) {
    if (!best || q.fid < best.fid || (q.fid === best.fid && q.epoch > best.epoch)) best = q;
  }
  return best;
}

/** Why a synthesis run uses a checkpoint, in words for its log and its dataset's lineage. */
export function checkpointReason(choice: { epoch: number; by: 'best-fid' | 'latest' | 'chosen'; fid?: number }): string {
  if (choice.by === 'best-fid') return `best FID on validation, epoch ${choice.epoch}: FID ${choice.fid?.toFixed(1)}`;
  if (choice.by === 'latest') return `latest checkpoint, epoch ${choice.epoch} (no quality measured during training)`;
  return `chosen by the user, epoch ${choice.epoch}${choice.fid !== undefined ? `: FID ${choice.fid.toFixed(1)}` : ''}`;
}
