'use client';
// What a run page adds for the team: who else is watching it, its comment thread, the markers of
// comments pinned to steps (charts) and grids (sample grids), and the pin of the comment being
// written, set from a chart click, the latest step or the grid shown.
import { useCallback, useMemo, useState } from 'react';
import type { RunImageView, StoredMetricPoint } from '../../lib/contracts/events';
import type { CommentPin } from '../../lib/contracts/team';
import type { ChartAnnotations, ChartMarker, GridPin, Pinning } from './annotations';
import { usePageWatch } from './use-presence';
import { useComments } from './use-comments';

/** `version` changes whenever `points` grew (the array is appended to in place). */
export function useRunAnnotations(runId: string, points: StoredMetricPoint[], version: number) {
  const { viewers, joined } = usePageWatch('run', runId);
  const { comments, error } = useComments({ kind: 'run', id: runId }, joined);
  const [pin, setPin] = useState<CommentPin | null>(null);
  const [shownGrid, setShownGrid] = useState<{ id: number; step: number } | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);

  const latestStep = useMemo(() => (points.length === 0 ? null : points.reduce((m, p) => Math.max(m, p.step), 0)), [points, version]);
  const markers = useMemo(
    () =>
      comments.flatMap((c): (ChartMarker & { imageId?: number })[] =>
        c.pin?.step === undefined ? [] : [{ id: c.id, step: c.pin.step, imageId: c.pin.imageId, color: c.author.color, author: c.author.name, body: c.body }],
      ),
    [comments],
  );
  const gridPins = useMemo(() => markers.filter((m): m is GridPin => m.imageId !== undefined), [markers]);
  const annotations: ChartAnnotations = useMemo(() => ({ markers, selectedId, onSelect: setSelectedId, onPickStep: (step) => setPin({ step }) }), [markers, selectedId]);
  const onGridShown = useCallback((grid: RunImageView | null) => setShownGrid(grid && { id: grid.id, step: grid.step }), []);
  const pinning: Pinning = { pin, setPin, latestStep, shownGrid };

  return { viewers, comments, error, annotations, gridPins, onGridShown, pinning, selectedId, setSelectedId };
}
