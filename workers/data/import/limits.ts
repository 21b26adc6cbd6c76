// The error every import step throws for input a user must fix (nothing is written when one is
// thrown), and the progress callback; the caps themselves are part of the import contract.
import type { ImportPhase } from '../../../lib/contracts/import';

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;
