// Studies: the launch request (a template, preset and seeds) and the steps of its DAG. A step
// either trains (a launch request, whose synthetic dataset may come from a synthesis step) or
// synthesises (from generator steps). Shared by the server, the CLI and the browser.
import { z } from 'zod';
import { idSchema, launchInputSchema, presetNames } from './run-config';
import type { TableCell } from '../stats/table';

export const studyTemplates = ['table1'] as const;

export const studyLaunchSchema = z.object({
  template: z.enum(studyTemplates).default('table1'),
  name: z.string().trim().min(1).max(80).optional(),
  preset: z.enum(presetNames),
  /** Classifier seeds (generators and synthetic datasets are made once, with seed 0). */
  seeds: z.number().int().min(1).max(10).default(3),
  datasetId: idSchema.optional(),
  /** Also the mix-ratio sweep: BrainCNN with 25% and 50% synthetic (VAE) images added. */
  sweep: z.boolean().default(true),
  /** Synthetic images per class (default: 48 at smoke, else 1,500 as the paper). */
  perClass: z.number().int().min(8).max(20_000).optional(),
});
export type StudyLaunch = z.input<typeof studyLaunchSchema>;

export const trainStepSchema = z.object({
  kind: z.literal('train'),
  launch: launchInputSchema,
  /** Key of the synthesis step whose dataset this classifier trains on (synthetic / mixed). */
  syntheticFrom: z.string().max(64).optional(),
  /** Where the step sits in the table: row (model + technique) and column, and the sweep ratio. */
  column: z.string().max(100),
  mixRatio: z.number().optional(),
});
export const synthStepSchema = z.object({
  kind: z.literal('synth'),
  generators: z.array(z.string().max(64)).min(1).max(2),
  perClass: z.number().int(),
  seed: z.number().int(),
});
export const stepSpecSchema = z.discriminatedUnion('kind', [trainStepSchema, synthStepSchema]);
export type StepSpec = z.infer<typeof stepSpecSchema>;

export interface StepPlan {
  key: string;
  spec: StepSpec;
  dependsOn: string[];
}

export type NodeState = 'waiting' | 'blocked' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StudyNodeView {
  key: string;
  state: NodeState;
  runId: string | null;
  dependsOn: string[];
  kind: 'train' | 'synth';
  model: string;
  column: string;
  seed: number | null;
  reused: boolean;
  attempts: number;
  reason: string | null;
  progress: number;
}

export interface StudyView {
  id: string;
  name: string;
  template: string;
  preset: string;
  seeds: number[];
  datasetId: string;
  createdAt: number;
  cancelled: boolean;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  counts: Record<NodeState, number>;
  nodes: StudyNodeView[];
  table: TableCell[];
  /** BrainCNN accuracy and F1 against the share of synthetic (VAE) images added. */
  sweep: { ratio: number; column: string; metric: string; mean: number; ciLow: number | null; ciHigh: number | null; n: number }[];
  seconds: number | null;
  /** The name of the person who started it; null for the command line or a person since removed. */
  launchedBy: string | null;
  /** Their id; null for the command line. */
  launchedById: string | null;
}
