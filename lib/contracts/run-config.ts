// Run configurations: one zod schema per job kind, the three presets, and how a launch request
// (model + preset + overrides) resolves into a full, validated config. Imported by the server,
// the workers and the browser so that every process agrees on what a run is.
import { z } from 'zod';

export const presetNames = ['smoke', 'quick', 'paper'] as const;
export type PresetName = (typeof presetNames)[number];

export const modelNames = ['cnn', 'cvae', 'vae', 'gan'] as const;
export type ModelName = (typeof modelNames)[number];

export const trainDataKinds = ['real', 'synthetic', 'mixed'] as const;
export type TrainDataKind = (typeof trainDataKinds)[number];

/** The BrainCVAE's decision techniques on reconstruction-error maps (paper 5.2). */
export const techniqueNames = ['giaem', 'dbscan', 'kmeans', 'global-kmeans'] as const;
export type TechniqueName = (typeof techniqueNames)[number];

const seed = z.number().int().min(0).max(2 ** 31 - 1);
/** Every id is at most 64 characters (run, dataset and study ids are far shorter). */
export const idSchema = z.string().min(1).max(64);

/** What a job computes from a config can change with the code (a new selection rule, a new
 * report). Such a change bumps the model's revision, which goes into every new config, so a study
 * never reuses a run made by the older code. Revision 1 is written as no field at all, so runs
 * from before revisions existed still match. */
export const JOB_REVISIONS = { cnn: 2, cvae: 2, vae: 1, gan: 1, synth: 2 } as const;
const revision = z.number().int().min(2).optional();
const revisionOf = (model: keyof typeof JOB_REVISIONS) => (JOB_REVISIONS[model] > 1 ? { revision: JOB_REVISIONS[model] } : {});
export { revisionOf };

/** Only a worker with a GPU (the tfjs-node-gpu backend) takes the run; it waits in the queue
 * until one is attached. Written only when true, so other configs compare as before. */
const requireGpu = z.boolean().optional();

/** Caps on the number of images per split; used by `smoke` so tests take seconds. */
const splitLimits = z
  .object({
    train: z.number().int().positive(),
    val: z.number().int().positive(),
    test: z.number().int().positive(),
  })
  .partial();

/** Where a classifier's training images come from. `real`: the real dataset's training split;
 * `synthetic`: only the synthetic dataset; `mixed`: the real training split plus mixRatio x as many
 * synthetic images (drawn at random). Validation and test are always the real dataset's. */
const trainDataFields = {
  syntheticDatasetId: idSchema.optional(),
  mixRatio: z.number().min(0).max(10).default(1),
};

/** The fields both classifiers start with (in this order: stored configs are compared as JSON). */
const classifierHead = {
  preset: z.enum(presetNames),
  seed,
  datasetId: idSchema,
  trainData: z.enum(trainDataKinds),
  imageSize: z.union([z.literal(32), z.literal(64), z.literal(128)]),
  width: z.number().min(0.125).max(1),
};

/** BrainCNN (paper section 5.2). `width` scales every layer: 1 = the paper's 32/64/128 conv
 * filters and 1024/512/128 hidden units. */
export const cnnConfigSchema = z.object({
  model: z.literal('cnn'),
  ...classifierHead,
  epochs: z.number().int().min(1).max(200),
  batchSize: z.number().int().min(1).max(256),
  learningRate: z.number().positive().max(1),
  dropout: z.number().min(0).max(0.9),
  /** Early stopping: the run ends once this many epochs in a row bring no validation improvement
   * (absent in runs from before early stopping, which trained every epoch). */
  patience: z.number().int().min(1).max(200).optional(),
  limits: splitLimits.default({}),
  ...trainDataFields,
  revision,
  requireGpu,
});
export type CnnConfig = z.infer<typeof cnnConfigSchema>;

/** BrainCVAE anomaly detector (paper section 5.2): trained on healthy images only; the error maps
 * of the real validation and test splits are classified by each chosen technique. */
export const cvaeConfigSchema = z.object({
  model: z.literal('cvae'),
  ...classifierHead,
  latentDim: z.number().int().min(2).max(2048),
  epochs: z.number().int().min(1).max(500),
  batchSize: z.number().int().min(2).max(256),
  learningRate: z.number().positive().max(1),
  techniques: z.array(z.enum(techniqueNames)).min(1).default([...techniqueNames]),
  limits: splitLimits.default({}),
  ...trainDataFields,
  revision,
  requireGpu,
});
export type CvaeConfig = z.infer<typeof cvaeConfigSchema>;
export type ClassifierConfig = CnnConfig | CvaeConfig;

export const imageClasses = ['tumor', 'healthy'] as const;
export type ImageClass = (typeof imageClasses)[number];

/** The generators (paper section 5.1): one model per class, trained on that class's training
 * split only. A sample grid from fixed latents is streamed every `sampleEvery` steps, and the
 * quality on validation (FID, KID, precision, recall) measured every `qualityEvery` epochs and at
 * the last one. Runs from before quality existed have no `qualityEvery` and measure nothing. */
const generatorFields = {
  preset: z.enum(presetNames),
  seed,
  datasetId: idSchema,
  trainData: z.literal('real'),
  imageClass: z.enum(imageClasses),
  imageSize: z.union([z.literal(32), z.literal(64), z.literal(128)]),
  width: z.number().min(0.125).max(1),
  epochs: z.number().int().min(1).max(500),
  batchSize: z.number().int().min(2).max(256),
  learningRate: z.number().positive().max(1),
  sampleEvery: z.number().int().min(1).max(10_000),
  limits: splitLimits.default({}),
  revision,
  requireGpu,
  qualityEvery: z.number().int().min(1).max(500).optional(),
};
export const vaeConfigSchema = z.object({ model: z.literal('vae'), ...generatorFields, latentDim: z.number().int().min(2).max(2048) });
export const ganConfigSchema = z.object({ model: z.literal('gan'), ...generatorFields });
export type VaeConfig = z.infer<typeof vaeConfigSchema>;
export type GanConfig = z.infer<typeof ganConfigSchema>;
export type GeneratorConfig = VaeConfig | GanConfig;

export const generatorConfigSchema = z.discriminatedUnion('model', [vaeConfigSchema, ganConfigSchema]);

/** A synthesis run: draws `perClass` images from each chosen generator checkpoint (at most one
 * generator per class) into a new synthetic dataset version, with its quality and privacy report.
 * `datasetId` is the real dataset the generators learned from (the report's reference). */
export const synthConfigSchema = z.object({
  model: z.literal('synth'),
  preset: z.enum(presetNames),
  seed,
  datasetId: idSchema,
  trainData: z.literal('real'),
  perClass: z.number().int().min(8).max(20_000),
  generators: z
    .array(
      z.object({
        runId: idSchema,
        model: z.enum(['vae', 'gan']),
        imageClass: z.enum(imageClasses),
        epoch: z.number().int().min(1),
        /** Why this checkpoint: "best FID on validation, epoch 7: FID 123.4", latest or chosen. */
        reason: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(2)
    .refine((g) => new Set(g.map((x) => x.imageClass)).size === g.length, 'at most one generator per class'),
  name: z.string().trim().min(1).max(80).regex(/^[\w.-]+$/, 'letters, digits, dot, dash and underscore only').optional(),
  revision,
  requireGpu,
});
export type SynthConfig = z.infer<typeof synthConfigSchema>;

export const runConfigSchema = z.discriminatedUnion('model', [cnnConfigSchema, cvaeConfigSchema, vaeConfigSchema, ganConfigSchema, synthConfigSchema]);
export type RunConfig = z.infer<typeof runConfigSchema>;

/** Fields a user may change on top of a preset (each model's schema checks the result). */
export const overridesSchema = z
  .object({
    imageSize: z.number(),
    width: z.number(),
    epochs: z.number(),
    batchSize: z.number(),
    learningRate: z.number(),
    dropout: z.number(),
    patience: z.number(),
    latentDim: z.number(),
    sampleEvery: z.number(),
    qualityEvery: z.number(),
  })
  .partial();

type CvaePreset = Omit<CvaeConfig, 'model' | 'preset' | 'seed' | 'datasetId' | 'trainData' | 'techniques' | 'syntheticDatasetId' | 'mixRatio' | 'revision' | 'requireGpu'>;

/** The paper gives the CVAE's layers but no latent size or schedule; 128 and these epochs are ours. */
export const cvaePresets: Record<PresetName, CvaePreset> = {
  smoke: { imageSize: 32, width: 0.25, latentDim: 16, epochs: 3, batchSize: 16, learningRate: 1e-3, limits: { train: 96, val: 64, test: 64 } },
  quick: { imageSize: 64, width: 0.5, latentDim: 64, epochs: 15, batchSize: 32, learningRate: 1e-3, limits: {} },
  paper: { imageSize: 128, width: 1, latentDim: 128, epochs: 30, batchSize: 32, learningRate: 1e-3, limits: {} },
};

export const launchInputSchema = z.object({
  model: z.enum(modelNames),
  preset: z.enum(presetNames),
  seed: seed.default(0),
  datasetId: idSchema.optional(),
  /** Generators only: the class whose training images the model learns. */
  imageClass: z.enum(imageClasses).optional(),
  /** Classifiers only: real, synthetic or mixed training data (validation and test stay real). */
  trainData: z.enum(trainDataKinds).default('real'),
  syntheticDatasetId: idSchema.optional(),
  mixRatio: z.number().min(0).max(10).optional(),
  /** BrainCVAE only: the decision techniques to evaluate (all four when omitted). */
  techniques: z.array(z.enum(techniqueNames)).min(1).optional(),
  /** Only a worker with a GPU takes the run (it waits in the queue until one is attached). */
  requireGpu: z.boolean().optional(),
  overrides: overridesSchema.default({}),
});
export type LaunchInput = z.input<typeof launchInputSchema>;

type CnnPreset = Omit<CnnConfig, 'model' | 'preset' | 'seed' | 'datasetId' | 'trainData' | 'syntheticDatasetId' | 'mixRatio' | 'revision' | 'requireGpu'>;

/** smoke: seconds, for tests; quick: a laptop CPU in minutes; paper: the paper at 128x128.
 * The scaled presets use dropout 0.2: with their narrower dense layers the paper's 0.5 (right
 * for 1024/512/128 units) learns far more slowly on the demo data (75% against 90% validation
 * accuracy after four epochs at 32 px, width 1/2). */
export const cnnPresets: Record<PresetName, CnnPreset> = {
  smoke: { imageSize: 32, width: 0.25, epochs: 2, batchSize: 16, learningRate: 1e-3, dropout: 0.2, patience: 2, limits: { train: 160, val: 64, test: 64 } },
  quick: { imageSize: 64, width: 0.5, epochs: 30, batchSize: 32, learningRate: 1e-3, dropout: 0.2, patience: 5, limits: {} },
  paper: { imageSize: 128, width: 1, epochs: 20, batchSize: 32, learningRate: 1e-3, dropout: 0.5, patience: 5, limits: {} },
};

type GeneratorPreset = Omit<VaeConfig, 'model' | 'preset' | 'seed' | 'datasetId' | 'trainData' | 'imageClass' | 'revision' | 'requireGpu'>;

/** The paper preset is the paper's architecture at 128 (latent 512); the GAN's Adam settings
 * (2e-4) are the DCGAN practice, the paper gives none. `qualityEvery` gives a run about ten
 * quality points (a quick VAE has only five epochs, so it measures each), and the last epoch is
 * always measured. */
export const generatorPresets: Record<'vae' | 'gan', Record<PresetName, GeneratorPreset>> = {
  vae: {
    smoke: { imageSize: 32, width: 0.25, latentDim: 32, epochs: 1, batchSize: 16, learningRate: 1e-3, sampleEvery: 2, limits: { train: 64 }, qualityEvery: 1 },
    quick: { imageSize: 64, width: 0.5, latentDim: 128, epochs: 5, batchSize: 32, learningRate: 1e-3, sampleEvery: 10, limits: {}, qualityEvery: 1 },
    paper: { imageSize: 128, width: 1, latentDim: 512, epochs: 50, batchSize: 32, learningRate: 1e-3, sampleEvery: 50, limits: {}, qualityEvery: 5 },
  },
  gan: {
    smoke: { imageSize: 32, width: 0.25, latentDim: 100, epochs: 1, batchSize: 16, learningRate: 2e-4, sampleEvery: 2, limits: { train: 64 }, qualityEvery: 1 },
    quick: { imageSize: 64, width: 0.5, latentDim: 100, epochs: 10, batchSize: 32, learningRate: 2e-4, sampleEvery: 10, limits: {}, qualityEvery: 2 },
    paper: { imageSize: 128, width: 1, latentDim: 100, epochs: 100, batchSize: 32, learningRate: 2e-4, sampleEvery: 50, limits: {}, qualityEvery: 10 },
  },
};

export function presetFor(model: ModelName, preset: PresetName): Record<string, unknown> {
  if (model === 'cnn') return cnnPresets[preset];
  if (model === 'cvae') return cvaePresets[preset];
  const { latentDim, ...rest } = generatorPresets[model][preset];
  return model === 'vae' ? { ...rest, latentDim } : rest;
}

/** Most epochs a launch may ask for, per preset: smoke epochs take a second each (tests use a
 * 200-epoch smoke run as a long run to cancel), quick a laptop's afternoon, paper up to three
 * times the paper preset's own schedule. */
export function maxEpochs(model: ModelName, preset: PresetName): number {
  if (preset === 'smoke') return 200;
  if (preset === 'quick') return 100;
  return 3 * (presetFor(model, 'paper').epochs as number);
}
/** Generators: the fewest steps between sample grids, so a run writes a few hundred PNGs at most
 * (quick and paper runs take thousands of steps). */
export const MIN_SAMPLE_EVERY: Record<PresetName, number> = { smoke: 1, quick: 10, paper: 50 };

const trainingConfigSchema = z.discriminatedUnion('model', [cnnConfigSchema, cvaeConfigSchema, vaeConfigSchema, ganConfigSchema]);
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

/** Turns a launch request into a full config; throws a ZodError naming the bad field. */
export function resolveRunConfig(input: LaunchInput, defaultDatasetId: string): TrainingConfig {
  const launch = launchInputSchema.parse(input);
  const generator = launch.model === 'vae' || launch.model === 'gan';
  const { latentDim, sampleEvery, qualityEvery, dropout, patience, ...common } = launch.overrides;
  const overrides =
    launch.model === 'cnn' ? { ...common, dropout, patience } : launch.model === 'cvae' ? { ...common, latentDim } : { ...common, sampleEvery, qualityEvery, ...(launch.model === 'vae' ? { latentDim } : {}) };
  if (generator && launch.trainData !== 'real') throw new z.ZodError([{ code: 'custom', path: ['trainData'], message: 'generators learn from real data only', input: launch.trainData }]);
  if (!generator && launch.trainData !== 'real' && !launch.syntheticDatasetId) {
    throw new z.ZodError([{ code: 'custom', path: ['syntheticDatasetId'], message: `${launch.trainData} training data needs a synthetic dataset`, input: undefined }]);
  }
  const issues: z.core.$ZodIssue[] = [];
  const epochs = launch.overrides.epochs;
  const epochCap = maxEpochs(launch.model, launch.preset);
  if (epochs !== undefined && epochs > epochCap) {
    issues.push({ code: 'custom', path: ['overrides', 'epochs'], message: `at most ${epochCap} epochs with the ${launch.preset} preset`, input: epochs });
  }
  if (patience !== undefined && launch.model !== 'cnn') {
    issues.push({ code: 'custom', path: ['overrides', 'patience'], message: 'early stopping (patience) applies to the BrainCNN only', input: patience });
  }
  if (patience !== undefined && patience > epochCap) {
    issues.push({ code: 'custom', path: ['overrides', 'patience'], message: `at most ${epochCap} epochs of patience with the ${launch.preset} preset`, input: patience });
  }
  if (generator && sampleEvery !== undefined && sampleEvery < MIN_SAMPLE_EVERY[launch.preset]) {
    const floor = MIN_SAMPLE_EVERY[launch.preset];
    issues.push({ code: 'custom', path: ['overrides', 'sampleEvery'], message: `at least ${floor} steps between sample grids with the ${launch.preset} preset`, input: sampleEvery });
  }
  if (issues.length) throw new z.ZodError(issues);
  const resolved = trainingConfigSchema.safeParse({
    ...presetFor(launch.model, launch.preset),
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
    model: launch.model,
    preset: launch.preset,
    seed: launch.seed,
    datasetId: launch.datasetId ?? defaultDatasetId,
    trainData: generator ? 'real' : launch.trainData,
    ...(generator ? { imageClass: launch.imageClass ?? 'tumor' } : {}),
    ...(!generator && launch.trainData !== 'real' ? { syntheticDatasetId: launch.syntheticDatasetId } : {}),
    ...(!generator && launch.mixRatio !== undefined ? { mixRatio: launch.mixRatio } : {}),
    ...(launch.model === 'cvae' && launch.techniques ? { techniques: launch.techniques } : {}),
    ...revisionOf(launch.model),
    ...(launch.requireGpu ? { requireGpu: true } : {}),
  });
  if (resolved.success) return resolved.data;
  // An override's problem is named as the request spelled it (overrides.batchSize).
  const overridden = new Set(Object.keys(launch.overrides));
  throw new z.ZodError(resolved.error.issues.map((i) => (overridden.has(String(i.path[0])) ? { ...i, path: ['overrides', ...i.path] } : i)));
}
