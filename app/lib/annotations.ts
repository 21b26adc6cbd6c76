// The shapes a run page's comments take on its charts, sample grids and composer: shared by the
// components that draw them and the hook that derives them (use-run-annotations.ts).
import type { CommentPin } from '../../lib/contracts/team';

/** A comment pinned to a step: a line in its author's colour on every chart of the run. */
export interface ChartMarker {
  id: number;
  step: number;
  color: string;
  author: string;
  body: string;
}

/** A comment pinned to a sample grid: a pin on that grid. */
export type GridPin = ChartMarker & { imageId: number };

/** What a run page lays over its charts: the markers, and picking steps and comments. */
export interface ChartAnnotations {
  markers: ChartMarker[];
  selectedId: number | null;
  onSelect: (id: number | null) => void;
  /** A click on the plot (not on a marker) picks the step under the cursor to pin a comment to. */
  onPickStep?: (step: number) => void;
}

/** The pin of the comment being written, and what it may be pinned to. */
export interface Pinning {
  pin: CommentPin | null;
  setPin: (pin: CommentPin | null) => void;
  latestStep: number | null;
  shownGrid: { id: number; step: number } | null;
}
