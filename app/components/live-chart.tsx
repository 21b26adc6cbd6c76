'use client';
// A live line chart (uPlot) of named metric series against the training step; new points are
// appended in place, without re-creating the chart. On a run page it also carries the comments
// pinned to steps (chart-markers.tsx) and lets a click pick a step to pin a new one to.
import { useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import uPlot from 'uplot';
import type { StoredMetricPoint } from '../../lib/contracts/events';
import type { MetricName } from '../../lib/contracts/metrics';
import type { ChartAnnotations } from '../lib/annotations';
import { ChartMarkers } from './chart-markers';
import { SeriesAligner } from '../lib/series-aligner';

export interface SeriesSpec {
  name: MetricName;
  label: string;
  color: string;
  /** Mark each point: for sparse series (once per epoch), where a lone point draws no line. */
  markers?: boolean;
}

export function LiveChart({ title, points, version, series, yLabel, testId, annotations }: { title: string; points: StoredMetricPoint[]; version?: number; series: SeriesSpec[]; yLabel: string; testId: string; annotations?: ChartAnnotations }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The overlay the markers render into, and a count of redraws so they follow zoom and resize.
  const [over, setOver] = useState<HTMLElement | null>(null);
  const [, setDrawn] = useState(0);
  const pickStep = useRef(annotations?.onPickStep);
  pickStep.current = annotations?.onPickStep;
  // `points` may grow in place (use-run.ts): `version` says when, and only the new ones are aligned.
  const aligner = useMemo(() => new SeriesAligner(series.map((s) => s.name)), [series]);
  const data = useMemo(() => aligner.update(points) as unknown as uPlot.AlignedData, [aligner, points, version]);
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
        hooks: { draw: [() => setDrawn((n) => n + 1)] },
      },
      [[], ...series.map(() => [])] as unknown as uPlot.AlignedData,
      host.current,
    );
    plot.current = chart;
    setOver(chart.over);
    const resize = () => host.current && chart.setSize({ width: host.current.clientWidth, height: 220 });
    const pick = (e: MouseEvent) => {
      const idx = chart.cursor.idx;
      const step = idx === null || idx === undefined ? null : chart.data[0][idx];
      if (e.target === chart.over && step !== null && step !== undefined) pickStep.current?.(step);
    };
    window.addEventListener('resize', resize);
    chart.over.addEventListener('click', pick);
    return () => {
      window.removeEventListener('resize', resize);
      chart.over.removeEventListener('click', pick);
      chart.destroy();
      plot.current = null;
      setOver(null);
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
      <div ref={host} data-testid={testId} data-points={count} className={annotations?.onPickStep ? '[&_.u-over]:cursor-pointer' : ''} />
      {over && plot.current && annotations && count > 0 && createPortal(<ChartMarkers plot={plot.current} annotations={annotations} />, over)}
      {count === 0 && <p className="py-8 text-center text-sm text-zinc-500">Waiting for the first training step…</p>}
    </figure>
  );
}
