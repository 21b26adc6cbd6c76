'use client';
// Upload a Br35H-shaped folder, a .zip or a NIfTI volume: the bytes go up with a progress bar,
// then the server's import progress streams back over socket.io, then the per-file report.
import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { getSocket } from '../lib/socket';

interface UploadResult {
  dataset: { id: string; name: string };
  imported: number;
  skipped: number;
  duplicateGroups: number;
  alreadyImported: boolean;
  report: { path: string; status: string; reason?: string; duplicateOf?: string }[];
}

type Selection = { files: File[]; paths: string[] };

export function UploadForm({ onImported }: { onImported: () => void }) {
  const [selection, setSelection] = useState<Selection | null>(null);
  const [name, setName] = useState('');
  const [phase, setPhase] = useState<{ label: string; done: number; total: number } | null>(null);
  const [result, setResult] = useState<UploadResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const importId = useRef('');
  const folderInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // React's types lack the (widely supported) directory-picker attribute.
    folderInput.current?.setAttribute('webkitdirectory', '');
    const socket = getSocket();
    const onProgress = (msg: { importId: string; phase: string; done: number; total: number }) => {
      if (msg.importId === importId.current) setPhase({ label: msg.phase, done: msg.done, total: msg.total });
    };
    socket.on('import:progress', onProgress);
    return () => void socket.off('import:progress', onProgress);
  }, []);

  const choose = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    const files = [...list];
    setSelection({ files, paths: files.map((f) => f.webkitRelativePath || f.name) });
    setResult(null);
    setError(null);
  };

  const upload = () => {
    if (!selection) return;
    importId.current = `imp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
    const form = new FormData();
    selection.files.forEach((f, i) => form.append('file', f, selection.paths[i]));
    const params = new URLSearchParams({ importId: importId.current, ...(name.trim() ? { name: name.trim() } : {}) });
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/datasets/upload?${params}`);
    xhr.upload.onprogress = (e) => setPhase({ label: 'upload', done: e.loaded, total: e.total });
    xhr.onload = () => {
      setPhase(null);
      const body = JSON.parse(xhr.responseText || '{}');
      if (xhr.status === 200) {
        setResult(body);
        onImported();
      } else setError(body.error ?? `upload failed (HTTP ${xhr.status})`);
    };
    xhr.onerror = () => {
      setPhase(null);
      setError('the upload was interrupted; check the connection and try again');
    };
    setError(null);
    setResult(null);
    xhr.send(form);
  };

  const busy = phase !== null;
  return (
    <section className="space-y-3 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900" data-testid="upload-form">
      <h2 className="text-sm font-semibold">Import a dataset</h2>
      <p className="text-xs text-zinc-500">
        A folder in the Br35H layout (<code>yes/</code> tumour, <code>no/</code> healthy, optional <code>pred/</code> unlabelled; JPEG, PNG, BMP, TIFF or WebP of any size), the same as a <code>.zip</code>, or a NIfTI volume (<code>.nii</code>, <code>.nii.gz</code>). Every image is preprocessed as in the paper: brain bounding box, one shared background, 128x128.
      </p>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="cursor-pointer rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
          Choose folder…
          <input ref={folderInput} type="file" multiple className="hidden" data-testid="upload-folder" onChange={(e) => choose(e.target.files)} />
        </label>
        <label className="cursor-pointer rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
          Choose .zip or NIfTI…
          <input type="file" accept=".zip,.nii,.gz" className="hidden" data-testid="upload-file" onChange={(e) => choose(e.target.files)} />
        </label>
        <input placeholder="name (optional)" value={name} onChange={(e) => setName(e.target.value)} className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" />
        <button disabled={!selection || busy} onClick={upload} data-testid="upload-submit" className="rounded bg-sky-700 px-3 py-1 font-medium text-white hover:bg-sky-800 disabled:opacity-50">
          Import
        </button>
        {selection && <span className="text-xs text-zinc-500">{selection.files.length === 1 ? selection.paths[0] : `${selection.files.length} files`}</span>}
      </div>
      {phase && (
        <div className="text-xs" data-testid="upload-progress">
          <div className="mb-1">{phase.label === 'upload' ? 'uploading' : phase.label} {phase.total ? `${Math.round((100 * phase.done) / phase.total)}%` : ''}</div>
          <div className="h-1.5 w-64 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800">
            <div className="h-full bg-sky-500" style={{ width: `${phase.total ? (100 * phase.done) / phase.total : 0}%` }} />
          </div>
        </div>
      )}
      {error && <p data-testid="upload-error" className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">Import failed: {error}</p>}
      {result && (
        <div data-testid="upload-result" className="text-sm">
          <p>
            {result.alreadyImported ? 'Already imported as ' : 'Imported '}
            <Link href={`/datasets/${result.dataset.id}`} className="text-sky-700 underline dark:text-sky-400">{result.dataset.name}</Link>: {result.imported} images, {result.skipped} skipped, {result.duplicateGroups} near-duplicate groups.
          </p>
          {result.report.length > 0 && (
            <ul className="mt-2 max-h-48 overflow-auto font-mono text-xs">
              {result.report.map((r) => (
                <li key={r.path}>{r.status === 'skipped' ? `skipped ${r.path}: ${r.reason}` : `grouped ${r.path} ~ ${r.duplicateOf}`}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
