'use client';
// A live line chart (uPlot) of named metric series against the training step; new points are
// appended in place, without re-creating the chart.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import type { StoredMetricPoint } from '../../lib/contracts/events';
import type { MetricName } from '../../lib/contracts/metrics';

export interface SeriesSpec {
  name: MetricName;
  label: string;
  color: string;
  /** Mark each point: for sparse series (once per epoch), where a lone point draws no line. */
  markers?: boolean;
}

/** Aligns series that were sampled at different steps onto one x axis (gaps where missing). */
function alignSeries(points: StoredMetricPoint[], series: SeriesSpec[]): uPlot.AlignedData {
  const steps = [...new Set(points.filter((p) => series.some((s) => s.name === p.name)).map((p) => p.step))].sort((a, b) => a - b);
  const index = new Map(steps.map((s, i) => [s, i]));
  const columns = series.map(() => new Array<number | null>(steps.length).fill(null));
  for (const p of points) {
    const k = series.findIndex((s) => s.name === p.name);
    if (k >= 0) columns[k][index.get(p.step)!] = p.value;
  }
  return [steps, ...columns] as uPlot.AlignedData;
}

export function LiveChart({ title, points, series, yLabel, testId }: { title: string; points: StoredMetricPoint[]; series: SeriesSpec[]; yLabel: string; testId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo(() => alignSeries(points, series), [points, series]);
  const count = data[0].length;

  useEffect(() => {
    if (!host.current) return;
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#a1a1aa' : '#52525b', grid: { stroke: dark ? '#27272a' : '#e4e4e7' }, ticks: { stroke: dark ? '#3f3f46' : '#d4d4d8' } };
    const chart = new uPlot(
      {
        width: host.current.clientWidth,
        height: 220,
        scales: { x: { time: false } },
        axes: [{ ...axis, label: 'step' }, { ...axis, label: yLabel }],
        series: [{ label: 'step' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: Boolean(s.markers), size: 6, fill: s.color } }))],
      },
      [[], ...series.map(() => [])] as unknown as uPlot.AlignedData,
      host.current,
    );
    plot.current = chart;
    const resize = () => host.current && chart.setSize({ width: host.current.clientWidth, height: 220 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
      plot.current = null;
    };
  }, [series, yLabel]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
      <figcaption className="mb-1 flex justify-between text-sm font-medium">
        <span>{title}</span>
        <span className="text-xs font-normal text-zinc-500">{count} steps</span>
      </figcaption>
      <div ref={host} data-testid={testId} data-points={count} />
      {count === 0 && <p className="py-8 text-center text-sm text-zinc-500">Waiting for the first training step…</p>}
    </figure>
  );
}
