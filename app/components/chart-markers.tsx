'use client';
// Comment markers on a uPlot chart: a thin line at the pinned step in the author's colour with a
// dot on top; hovering the dot shows the comment, clicking it picks the comment in the thread.
// Rendered into the chart's overlay, so positions are the plot's own pixels.
import type uPlot from 'uplot';
import type { ChartAnnotations } from '../lib/annotations';
import { CommentBody } from './comment-body';
import { PersonDot } from './person-chips';

export function ChartMarkers({ plot, annotations }: { plot: uPlot; annotations: ChartAnnotations }) {
  const width = plot.over.clientWidth;
  return (
    <>
      {annotations.markers.map((m) => {
        const x = plot.valToPos(m.step, 'x');
        if (!Number.isFinite(x) || x < -1 || x > width + 1) return null;
        const selected = annotations.selectedId === m.id;
        const flip = x > width - 240;
        return (
          <div key={m.id} className="group absolute inset-y-0 z-10 w-3 -translate-x-1/2" style={{ left: x }} data-testid="chart-marker" data-step={m.step} data-comment-id={m.id}>
            <div className={`pointer-events-none absolute inset-y-0 left-1/2 border-l ${selected ? 'border-solid opacity-100' : 'border-dashed opacity-70'}`} style={{ borderColor: m.color }} />
            <button
              type="button"
              aria-label={`comment by ${m.author} at step ${m.step}`}
              onClick={() => annotations.onSelect(selected ? null : m.id)}
              className={`absolute -top-1.5 left-1/2 h-3 w-3 -translate-x-1/2 rounded-full ring-2 ring-white dark:ring-zinc-900 ${selected ? 'scale-125' : ''}`}
              style={{ backgroundColor: m.color }}
            />
            <div
              className={`pointer-events-none absolute top-3 w-56 rounded border border-zinc-200 bg-white p-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900 ${flip ? 'right-2' : 'left-2'} ${selected ? 'block' : 'hidden group-hover:block'}`}
              data-testid="chart-marker-popover"
            >
              <div className="mb-0.5 flex items-center gap-1.5 font-medium text-zinc-800 dark:text-zinc-200">
                <PersonDot color={m.color} />
                {m.author} · step {m.step}
              </div>
              <CommentBody body={m.body.length > 280 ? `${m.body.slice(0, 279)}…` : m.body} className="text-zinc-700 dark:text-zinc-300" />
            </div>
          </div>
        );
      })}
    </>
  );
}
