'use client';
// A generator's sample grids (fixed latent vectors, so the same cell is the same "person" at every
// step) with a step scrubber, beside a grid of real training images of the same class. Comments
// pinned to a grid show as pins on it; the page learns which grid is shown, to pin a new one there.
import { useEffect, useState } from 'react';
import type { RunImageView } from '../../lib/contracts/events';
import type { GridPin } from '../lib/annotations';
import { CommentBody } from './comment-body';
import { PersonDot } from './person-chips';

export function SampleGrids({ images, pins = [], onShown }: { images: RunImageView[]; pins?: GridPin[]; onShown?: (grid: RunImageView | null) => void }) {
  const samples = images.filter((i) => i.kind === 'samples');
  const real = images.find((i) => i.kind === 'real');
  const [index, setIndex] = useState<number | null>(null);
  // Follow the newest grid until the user moves the scrubber.
  const shown = index === null ? samples.length - 1 : Math.min(index, samples.length - 1);
  useEffect(() => {
    if (index !== null && index >= samples.length) setIndex(null);
  }, [index, samples.length]);
  const current = samples[shown] as RunImageView | undefined;
  useEffect(() => onShown?.(current ?? null), [current, onShown]);
  if (!current) return <p className="text-sm text-zinc-500">Waiting for the first sample grid…</p>;
  const here = pins.filter((p) => p.imageId === current.id);
  return (
    <section className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900" data-testid="sample-grids" data-count={samples.length}>
      <div className="mb-2 flex items-center gap-3 text-sm">
        <h2 className="font-semibold">Samples from 16 fixed latent vectors</h2>
        <span className="text-zinc-500" data-testid="sample-step">step {current.step}</span>
        <span className="text-xs text-zinc-500">({shown + 1} of {samples.length}{index === null ? ', following the newest' : ''})</span>
      </div>
      <input
        type="range"
        min={0}
        max={samples.length - 1}
        value={shown}
        onChange={(e) => setIndex(Number(e.target.value) === samples.length - 1 ? null : Number(e.target.value))}
        className="mb-3 w-full"
        aria-label="step"
        data-testid="sample-scrubber"
      />
      <div className="flex flex-wrap gap-6">
        <figure className="relative">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={current.url} alt={`samples at step ${current.step}`} className="pixelated h-64 w-64" />
          <GridPins pins={here} />
          <figcaption className="mt-1 text-xs text-zinc-500">
            generated, step {current.step}
            {here.length > 0 && ` · ${here.length} comment${here.length > 1 ? 's' : ''}`}
          </figcaption>
        </figure>
        {real && (
          <figure>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={real.url} alt="real training images" className="pixelated h-64 w-64" />
            <figcaption className="mt-1 text-xs text-zinc-500">real training images of the class</figcaption>
          </figure>
        )}
      </div>
    </section>
  );
}

/** The comments pinned to the grid shown: dots along its top edge, each showing its comment on hover. */
function GridPins({ pins }: { pins: GridPin[] }) {
  return (
    <div className="absolute right-1.5 top-1.5 flex gap-1">
      {pins.map((p) => (
        <div key={p.id} className="group relative" data-testid="grid-pin" data-comment-id={p.id}>
          <span className="block h-3.5 w-3.5 rounded-full shadow ring-2 ring-white dark:ring-zinc-900" style={{ backgroundColor: p.color }} aria-label={`comment by ${p.author}`} />
          <div className="pointer-events-none absolute right-0 top-5 z-10 hidden w-56 rounded border border-zinc-200 bg-white p-2 text-xs shadow-md group-hover:block dark:border-zinc-700 dark:bg-zinc-900">
            <div className="mb-0.5 flex items-center gap-1.5 font-medium text-zinc-800 dark:text-zinc-200">
              <PersonDot color={p.color} />
              {p.author}
            </div>
            <CommentBody body={p.body.length > 280 ? `${p.body.slice(0, 279)}…` : p.body} className="text-zinc-700 dark:text-zinc-300" />
          </div>
        </div>
      ))}
    </div>
  );
}
