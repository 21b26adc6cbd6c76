// The activity log: who launched, cancelled, retried, imported, synthesised, deleted, commented
// (and invited, joined, changed roles, made or revoked tokens), and when. Written by the code
// that makes the change, read by the Activity page; browsers are told a new entry exists.
import { asc, desc, eq, and, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { activity, user } from '../../db/team-schema';
import { getDataset } from '../../db/queries/datasets';
import type { ActivityAction, ActivityTarget } from '../../lib/contracts/team';
import type { RunConfig } from '../../lib/contracts/run-config';
import { runSummary } from './activity-summary';

export interface ActivityEntry {
  /** The person (null: the system, or the command line on this machine). */
  userId: string | null;
  action: ActivityAction;
  targetKind: ActivityTarget;
  targetId: string;
  /** One line a person reads, e.g. "cnn · quick · seed 0 on demo-br35h". */
  summary: string;
}

export interface ActivityView extends ActivityEntry {
  id: number;
  userName: string | null;
  createdAt: number;
}

export class ActivityLog {
  constructor(
    private readonly db: Db,
    private readonly announce: () => void = () => {},
  ) {}

  /** Appends an entry; a failure to log never fails the change it describes. */
  record(entry: ActivityEntry): void {
    try {
      this.db.insert(activity).values({ ...entry, summary: entry.summary.slice(0, 300), createdAt: Date.now() }).run();
      this.announce();
    } catch (err) {
      console.error(`[server] could not record activity ${entry.action} ${entry.targetId}: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** A change to a run, summarised from its config ("cnn · quick · seed 0 on demo-br35h"). */
  recordRun(userId: string | null, action: ActivityAction, run: { id: string; config: RunConfig }): void {
    this.record({ userId, action, targetKind: 'run', targetId: run.id, summary: runSummary(run.config, (id) => getDataset(this.db, id)?.name ?? id) });
  }

  /** The people who appear in the log, by name (what the Activity page filters by). */
  people(): { id: string; name: string }[] {
    return this.db.selectDistinct({ id: user.id, name: user.name }).from(activity).innerJoin(user, eq(user.id, activity.userId)).orderBy(asc(user.name)).all();
  }

  /** Newest first; `beforeId` pages back, `userId` keeps one person's entries. */
  list({ limit = 100, beforeId, userId }: { limit?: number; beforeId?: number; userId?: string } = {}): ActivityView[] {
    const where: SQL[] = [];
    if (beforeId) where.push(lt(activity.id, beforeId));
    if (userId) where.push(eq(activity.userId, userId));
    return this.db
      .select({ id: activity.id, userId: activity.userId, userName: user.name, action: activity.action, targetKind: activity.targetKind, targetId: activity.targetId, summary: activity.summary, createdAt: activity.createdAt })
      .from(activity)
      .leftJoin(user, eq(user.id, activity.userId))
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(activity.id))
      .limit(limit)
      .all();
  }
}
