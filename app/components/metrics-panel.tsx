// Final test metrics of a classifier run, with its confusion matrix (positive = tumour).
import type { ClassifierSummary } from '../../lib/contracts/events';
import { pct } from '../lib/format';
import { isChanceLevel } from '../../lib/stats/table';

export function MetricsPanel({ summary }: { summary: ClassifierSummary }) {
  const { confusion: c } = summary;
  const metrics = [
    ['Accuracy', summary.accuracy, 'accuracy'],
    ['Precision', summary.precision, 'precision'],
    ['Recall', summary.recall, 'recall'],
    ['F1', summary.f1, 'f1'],
  ] as const;
  const chance = isChanceLevel(summary.confusion);
  return (
    <section data-testid="final-metrics" className="rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="mb-3 text-sm font-semibold">
        Test set ({summary.testSize} real images, best epoch {summary.bestEpoch}{summary.epochsTrained ? ` of ${summary.epochsTrained}` : ''} chosen on validation)
      </h2>
      <p data-testid="training-time" className="-mt-2 mb-3 text-xs text-zinc-500">
        Trained in {summary.seconds.toFixed(0)} s{summary.threads ? ` on ${summary.threads} thread${summary.threads === 1 ? '' : 's'}` : ''}
        {summary.stoppedEarly ? `; stopped early after epoch ${summary.epochsTrained}, as validation had stopped improving` : ''}.
      </p>
      {summary.mayNotHaveConverged && (
        <p data-testid="may-not-have-converged" className="mb-3 rounded bg-amber-100 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          May not have converged: the best epoch on validation was the last one trained ({summary.bestEpoch}), so more epochs might still have improved it. Raise the epochs.
        </p>
      )}
      {chance && (
        <p className="mb-3 rounded bg-amber-100 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Balanced accuracy (mean of sensitivity and specificity) is at chance level: this classifier has not learned the task.
        </p>
      )}
      <div className="flex flex-wrap gap-8">
        <dl className="grid grid-cols-4 gap-6">
          {metrics.map(([label, value, key]) => (
            <div key={key}>
              <dt className="text-xs uppercase tracking-wide text-zinc-500">{label}</dt>
              <dd data-testid={`metric-${key}`} className="text-2xl font-semibold">{pct(value, 2)}</dd>
            </div>
          ))}
        </dl>
        <table className="text-sm" aria-label="confusion matrix">
          <thead>
            <tr className="text-xs text-zinc-500">
              <th />
              <th className="px-3 font-normal">pred. tumour</th>
              <th className="px-3 font-normal">pred. healthy</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th className="pr-3 text-right text-xs font-normal text-zinc-500">tumour</th>
              <td className="border border-zinc-200 px-3 py-1 text-center dark:border-zinc-700">{c.tp}</td>
              <td className="border border-zinc-200 px-3 py-1 text-center dark:border-zinc-700">{c.fn}</td>
            </tr>
            <tr>
              <th className="pr-3 text-right text-xs font-normal text-zinc-500">healthy</th>
              <td className="border border-zinc-200 px-3 py-1 text-center dark:border-zinc-700">{c.fp}</td>
              <td className="border border-zinc-200 px-3 py-1 text-center dark:border-zinc-700">{c.tn}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}
