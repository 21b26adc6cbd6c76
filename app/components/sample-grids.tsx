'use client';
// A generator's sample grids (fixed latent vectors, so the same cell is the same "person" at every
// step) with a step scrubber, beside a grid of real training images of the same class.
import { useEffect, useState } from 'react';
import type { RunImageView } from '../../lib/contracts/events';

export function SampleGrids({ images }: { images: RunImageView[] }) {
  const samples = images.filter((i) => i.kind === 'samples');
  const real = images.find((i) => i.kind === 'real');
  const [index, setIndex] = useState<number | null>(null);
  // Follow the newest grid until the user moves the scrubber.
  const shown = index === null ? samples.length - 1 : Math.min(index, samples.length - 1);
  useEffect(() => {
    if (index !== null && index >= samples.length) setIndex(null);
  }, [index, samples.length]);
  if (samples.length === 0) return <p className="text-sm text-zinc-500">Waiting for the first sample grid…</p>;
  const current = samples[shown];
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
        <figure>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={current.url} alt={`samples at step ${current.step}`} className="pixelated h-64 w-64" />
          <figcaption className="mt-1 text-xs text-zinc-500">generated, step {current.step}</figcaption>
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
