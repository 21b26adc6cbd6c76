// Early stopping on validation: a run keeps the epoch that validated best and stops once
// `patience` epochs in a row have not beaten it. Its bookkeeping (the best epoch and score, the
// epochs since) is plain JSON so a resumed run (resume-state.ts) stops where the straight run
// would have. A best epoch that is the last epoch trained means the budget ran out while the
// model was still improving: the result may not have converged.

/** An epoch's validation score: higher accuracy wins, then lower loss. */
export interface ValidationScore {
  accuracy: number;
  loss: number;
}

export interface EarlyStoppingState {
  bestEpoch: number;
  best: ValidationScore;
  /** Epochs validated since the best one. */
  sinceBest: number;
  /** The last epoch validated (0 before the first). */
  lastEpoch: number;
}

export const improves = (score: ValidationScore, best: ValidationScore) => score.accuracy > best.accuracy || (score.accuracy === best.accuracy && score.loss < best.loss);

export class EarlyStopping {
  state: EarlyStoppingState = { bestEpoch: 0, best: { accuracy: -1, loss: Infinity }, sinceBest: 0, lastEpoch: 0 };

  /** `patience` undefined: never stops before the epoch budget. */
  constructor(readonly patience: number | undefined) {}

  /** Records an epoch's score; `improved` says whether it is the new best, `stop` whether the
   * run should end after this epoch. */
  update(epoch: number, score: ValidationScore): { improved: boolean; stop: boolean } {
    const improved = improves(score, this.state.best);
    this.state = improved ? { bestEpoch: epoch, best: { ...score }, sinceBest: 0, lastEpoch: epoch } : { ...this.state, sinceBest: this.state.sinceBest + 1, lastEpoch: epoch };
    return { improved, stop: this.patience !== undefined && this.state.sinceBest >= this.patience };
  }

  /** The best epoch was the last one trained: more epochs might still have helped. */
  get bestWasLast(): boolean {
    return this.state.bestEpoch > 0 && this.state.bestEpoch === this.state.lastEpoch;
  }

  /** The log line of a run that stopped early. */
  stoppedMessage(): string {
    return `stopped early after epoch ${this.state.lastEpoch}: no validation improvement for ${this.state.sinceBest} epochs (best epoch ${this.state.bestEpoch})`;
  }

  /** JSON has no Infinity: a best loss not yet set is written as null. */
  save(): { bestEpoch: number; accuracy: number; loss: number | null; sinceBest: number; lastEpoch: number } {
    const { bestEpoch, best, sinceBest, lastEpoch } = this.state;
    return { bestEpoch, accuracy: best.accuracy, loss: Number.isFinite(best.loss) ? best.loss : null, sinceBest, lastEpoch };
  }

  restore(saved: ReturnType<EarlyStopping['save']>): void {
    this.state = { bestEpoch: saved.bestEpoch, best: { accuracy: saved.accuracy, loss: saved.loss ?? Infinity }, sinceBest: saved.sinceBest, lastEpoch: saved.lastEpoch };
  }
}
