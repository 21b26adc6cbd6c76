// Runs any job by its config's model: what a local worker and an agent's training child share.
import type { Job, workerCompleteSchema } from '../../lib/contracts/events';
import type { z } from 'zod';
import type { JobContext } from './context';
import { runClassifyJob } from './classify';
import { runTrainGeneratorJob } from './train-generator';
import { runSynthesizeJob } from './synthesize';
import { runAnomalyJob } from './anomaly';

export type JobOutcome = Omit<z.infer<typeof workerCompleteSchema>, 'runId'>;

export function runModelJob(job: Job, ctx: JobContext): Promise<JobOutcome> {
  switch (job.config.model) {
    case 'cnn':
      return runClassifyJob(job, ctx);
    case 'cvae':
      return runAnomalyJob(job, ctx);
    case 'synth':
      return runSynthesizeJob(job, ctx);
    default:
      return runTrainGeneratorJob(job, ctx);
  }
}
