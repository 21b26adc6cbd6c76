'use client';
// ROC and precision-recall curves (uPlot, one series per classifier or technique) from the
// downsampled curves a run stores. Each curve keeps its own x values, so uPlot's multi-x mode
// ("mode: 2") draws them without resampling.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface Curve {
  label: string;
  x: number[];
  y: number[];
  color: string;
}

export const CURVE_COLOURS = ['#0284c7', '#e11d48', '#16a34a', '#a855f7', '#d97706'];

export function CurveChart({ title, curves, xLabel, yLabel, diagonal, testId }: { title: string; curves: Curve[]; xLabel: string; yLabel: string; diagonal?: boolean; testId: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#a1a1aa' : '#52525b', grid: { stroke: dark ? '#27272a' : '#e4e4e7' }, ticks: { stroke: dark ? '#3f3f46' : '#d4d4d8' } };
    const all = diagonal ? [...curves, { label: 'chance', x: [0, 1], y: [0, 1], color: '#a1a1aa' }] : curves;
    const size = Math.min(host.current.clientWidth, 360);
    const chart = new uPlot(
      {
        mode: 2,
        width: size,
        height: size,
        scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
        axes: [{ ...axis, label: xLabel }, { ...axis, label: yLabel }],
        series: [{}, ...all.map((c) => ({ label: c.label, stroke: c.color, width: c.label === 'chance' ? 1 : 1.75, dash: c.label === 'chance' ? [4, 4] : undefined, points: { show: false } }))],
      },
      [null, ...all.map((c) => [c.x, c.y])] as unknown as uPlot.AlignedData,
      host.current,
    );
    return () => chart.destroy();
  }, [curves, xLabel, yLabel, diagonal]);
  return (
    <figure className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div ref={host} data-testid={testId} data-curves={curves.length} />
    </figure>
  );
}
