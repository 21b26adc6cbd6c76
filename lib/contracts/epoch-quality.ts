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
  /** Class fidelity: the share of the sample the domain encoder (a BrainCNN trained on the real
   * images) assigns to the run's class, and the same share of the real validation images of the
   * class (the ceiling). Absent in runs from before it was measured. */
  classFidelity: z.object({ synthetic: z.number().min(0).max(1), realVal: z.number().min(0).max(1) }).optional(),
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

/** A synthetic class whose images the real-trained encoder calls that class this many points less
 * often than it calls real images of it lacks what makes the class (the report warns; the rule
 * below passes such epochs over). */
export const CLASS_FIDELITY_GAP = 0.15;

/** Whether an epoch's sample is called its class about as often as real images are (true when
 * class fidelity was not measured). */
export const classFaithful = (q: Pick<EpochQuality, 'classFidelity'>) =>
  !q.classFidelity || q.classFidelity.synthetic >= q.classFidelity.realVal - CLASS_FIDELITY_GAP;

/** The rule: best = lowest FID among the measured epochs that are not flagged for mode collapse
 * and whose class fidelity is within CLASS_FIDELITY_GAP of the real validation images' (each
 * filter dropped when no epoch passes it), ties to the later epoch (trained longer at equal
 * quality). FID: it moves with both realism and diversity, where precision or recall alone reward
 * a collapsed or a blurred generator; the collapse flag keeps a low FID of a few good modes from
 * winning; class fidelity keeps a realistic head without the class's lesion (or a healthy head with
 * one) from winning, since a classifier learns nothing about the class from it. Only epochs in
 * `among` count (the kept checkpoints); null when none was measured. */
export function bestQualityEpoch(measured: EpochQuality[], among?: number[]): EpochQuality | null {
  const candidates = measured.filter((q) => (!among || among.includes(q.epoch)) && Number.isFinite(q.fid));
  const narrow = (set: EpochQuality[], keep: (q: EpochQuality) => boolean) => (set.some(keep) ? set.filter(keep) : set);
  const eligible = narrow(narrow(candidates, (q) => !q.modeCollapseLikely), classFaithful);
  let best: EpochQuality | null = null;
  for (const q of eligible) {
    if (!best || q.fid < best.fid || (q.fid === best.fid && q.epoch > best.epoch)) best = q;
  }
  return best;
}

/** Why a synthesis run uses a checkpoint, in words for its log and its dataset's lineage. */
export function checkpointReason(choice: { epoch: number; by: 'best-fid' | 'latest' | 'chosen'; fid?: number; classFidelity?: EpochQuality['classFidelity'] }): string {
  const fidelity = choice.classFidelity ? `, class fidelity ${Math.round(choice.classFidelity.synthetic * 100)}% (real ${Math.round(choice.classFidelity.realVal * 100)}%)` : '';
  if (choice.by === 'best-fid') return `best FID on validation, epoch ${choice.epoch}: FID ${choice.fid?.toFixed(1)}${fidelity}`;
  if (choice.by === 'latest') return `latest checkpoint, epoch ${choice.epoch} (no quality measured during training)`;
  return `chosen by the user, epoch ${choice.epoch}${choice.fid !== undefined ? `: FID ${choice.fid.toFixed(1)}${fidelity}` : ''}`;
}
