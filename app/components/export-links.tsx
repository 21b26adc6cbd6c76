// Download links for a comparison table in the three export formats.
export function ExportLinks({ base }: { base: string }) {
  return (
    <span className="flex gap-3 text-sm" data-testid="exports">
      Export:
      {(['csv', 'json', 'tex'] as const).map((f) => (
        <a key={f} href={`${base}.${f}`} className="text-sky-700 underline dark:text-sky-400" download>
          {f === 'tex' ? 'LaTeX' : f.toUpperCase()}
        </a>
      ))}
    </span>
  );
}
