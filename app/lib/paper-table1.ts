// The paper's own Table 1 (single runs, percent), shown beside our cells for reference.
const TABLE: Record<string, Record<string, [number, number, number, number]>> = {
  'cnn|': { real: [96.67, 95.42, 97.99, 96.69], synthetic: [58.16, 57.53, 56.94, 57.24], mixed: [49.97, 49.98, 99.93, 66.64] },
  'cvae|giaem': { real: [60.44, 60.95, 67.11, 56.76], synthetic: [80.08, 68.26, 66.22, 67.09], mixed: [81.24, 69.99, 64.11, 65.95] },
  'cvae|global-kmeans': { real: [82.93, 73.55, 67.58, 69.66], synthetic: [79.39, 68.26, 69.44, 68.8], mixed: [78.8, 39.88, 49.27, 44.08] },
};
const METRIC_INDEX: Record<string, number> = { accuracy: 0, precision: 1, recall: 2, f1: 3 };

/** The paper's synthetic data came from its VAEs (it discarded the GAN's), so only our
 * `synthetic-vae` / `mixed-vae` columns (and plain `synthetic` / `mixed`) have a reference. */
export function paperTable1(model: string, technique: string, trainData: string, metric: string): number | null {
  const column = trainData.replace(/-vae$/, '');
  return TABLE[`${model}|${technique}`]?.[column]?.[METRIC_INDEX[metric]] ?? null;
}
