// The two deletion procedures every deletable domain's router has: the plan (what would go with
// it, what stops it) and the deletion itself. Editors delete what they launched or imported,
// admins anything (server/services/deletion.ts).
import { editorProcedure } from './trpc';
import { deleteInputSchema, deletionTargetSchema, type DeletableKind } from '../../lib/contracts/deletion';

export const deletionProcedures = (kind: DeletableKind) => ({
  deletionPlan: editorProcedure.input(deletionTargetSchema).query(({ ctx, input }) => ctx.deletions.plan(kind, input.id, ctx.actor)),
  delete: editorProcedure.input(deleteInputSchema).mutation(({ ctx, input }) => ctx.deletions.delete(kind, input.id, input.cascade, ctx.actor)),
});
