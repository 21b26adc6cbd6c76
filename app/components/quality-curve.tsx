'use client';
// A generator's FID on validation by epoch (uPlot), as measured while it trained, with the
// checkpoint a synthesis takes by default and the one picked marked on the curve. Kept epochs
// are the ones a synthesis can use; the others are drawn for the trend only.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { EpochQuality } from '../../lib/contracts/epoch-quality';

export function QualityCurve({ curve, kept, defaultEpoch, chosenEpoch, testId }: { curve: EpochQuality[]; kept: number[]; defaultEpoch: number | null; chosenEpoch: number | null; testId: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current || curve.length === 0) return;
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#a1a1aa' : '#52525b', grid: { stroke: dark ? '#27272a' : '#e4e4e7' }, ticks: { stroke: dark ? '#3f3f46' : '#d4d4d8' } };
    const at = (epoch: number | null) => curve.map((q) => (q.epoch === epoch ? q.fid : null));
    const chart = new uPlot(
      {
        width: Math.min(host.current.clientWidth, 420),
        height: 160,
        // The caption says what each marker is; uPlot's legend would list the marker series too.
        legend: { show: false },
        scales: { x: { time: false } },
        axes: [{ ...axis, label: 'epoch' }, { ...axis, label: 'FID' }],
        series: [
          { label: 'epoch' },
          { label: 'FID', stroke: '#d97706', width: 1.5, points: { show: true, size: 5, fill: '#d97706' } },
          { label: 'kept', stroke: 'transparent', points: { show: true, size: 7, stroke: '#52525b', fill: 'transparent', width: 1 } },
          { label: 'default', stroke: 'transparent', points: { show: true, size: 11, fill: '#16a34a', stroke: '#16a34a' } },
          { label: 'picked', stroke: 'transparent', points: { show: true, size: 11, fill: 'transparent', stroke: '#0284c7', width: 2 } },
        ],
      },
      [curve.map((q) => q.epoch), curve.map((q) => q.fid), curve.map((q) => (kept.includes(q.epoch) ? q.fid : null)), at(defaultEpoch), at(chosenEpoch)] as unknown as uPlot.AlignedData,
      host.current,
    );
    return () => chart.destroy();
  }, [curve, kept, defaultEpoch, chosenEpoch]);
  if (curve.length === 0) return <p className="text-xs text-zinc-500" data-testid={testId} data-points={0}>No quality measured during training (a run from before quality was measured): the latest checkpoint is the default.</p>;
  return <div ref={host} data-testid={testId} data-points={curve.length} data-default-epoch={defaultEpoch ?? ''} />;
}
