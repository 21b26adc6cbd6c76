// Study templates. "table1" is the paper's Table 1 with its whole pipeline: four generators (VAE
// and GAN, one per class), one synthetic dataset per architecture, then BrainCNN and the BrainCVAE
// (all four techniques) on real, synthetic and mixed data for every seed, and optionally the
// mix-ratio sweep. Generators are trained once (seed 0): the seeds repeat the classifiers.
import type { PresetName } from '../../lib/contracts/run-config';
import type { StepPlan } from '../../lib/contracts/study';

export interface TemplateOptions {
  preset: PresetName;
  seeds: number[];
  perClass: number;
  sweep: boolean;
}

export const SWEEP_RATIOS = [0.25, 0.5];

export function table1Plan({ preset, seeds, perClass, sweep }: TemplateOptions): StepPlan[] {
  const steps: StepPlan[] = [];
  for (const model of ['vae', 'gan'] as const) {
    for (const imageClass of ['tumor', 'healthy'] as const) {
      steps.push({ key: `gen-${model}-${imageClass}`, dependsOn: [], spec: { kind: 'train', column: 'generator', launch: { model, preset, seed: 0, imageClass, trainData: 'real', overrides: {} } } });
    }
    steps.push({
      key: `synth-${model}`,
      dependsOn: [`gen-${model}-tumor`, `gen-${model}-healthy`],
      spec: { kind: 'synth', generators: [`gen-${model}-tumor`, `gen-${model}-healthy`], perClass, seed: 0 },
    });
  }
  for (const seed of seeds) {
    for (const model of ['cnn', 'cvae'] as const) {
      steps.push({ key: `${model}-real-s${seed}`, dependsOn: [], spec: { kind: 'train', column: 'real', launch: { model, preset, seed, trainData: 'real', overrides: {} } } });
      for (const trainData of ['synthetic', 'mixed'] as const) {
        for (const gen of ['vae', 'gan'] as const) {
          steps.push({
            key: `${model}-${trainData}-${gen}-s${seed}`,
            dependsOn: [`synth-${gen}`],
            spec: { kind: 'train', column: `${trainData}-${gen}`, syntheticFrom: `synth-${gen}`, launch: { model, preset, seed, trainData, overrides: {} } },
          });
        }
      }
    }
    if (sweep) {
      for (const ratio of SWEEP_RATIOS) {
        steps.push({
          key: `cnn-sweep-${ratio}-s${seed}`,
          dependsOn: ['synth-vae'],
          spec: { kind: 'train', column: `mixed-vae×${ratio}`, syntheticFrom: 'synth-vae', mixRatio: ratio, launch: { model: 'cnn', preset, seed, trainData: 'mixed', mixRatio: ratio, overrides: {} } },
        });
      }
    }
  }
  return steps;
}

/** Every dependency names an earlier step, so the plan is a DAG (checked when a study starts). */
export function checkPlan(steps: StepPlan[]): void {
  const seen = new Set<string>();
  for (const s of steps) {
    if (seen.has(s.key)) throw new Error(`duplicate step ${s.key}`);
    for (const d of s.dependsOn) if (!seen.has(d)) throw new Error(`step ${s.key} depends on ${d}, which does not come before it`);
    seen.add(s.key);
  }
}
