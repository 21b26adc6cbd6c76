// How errors leave tRPC: a validation problem becomes a 400 naming each field (values are never
// echoed whole), and anything unexpected becomes a 500 with a generic message and a short error
// id that the server log also carries, so no stack trace or server path reaches a client.
import crypto from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { Refusal } from '../services/refusal';

/** Largest tRPC request body (uploads have their own route and caps). */
export const MAX_TRPC_BODY_BYTES = 1024 * 1024;
export const TOO_LARGE_MESSAGE = `The request body is too large: at most ${MAX_TRPC_BODY_BYTES / 1024 ** 2} MiB (upload datasets on the Datasets page).`;

/** Longest message a client sees for one field (a 200,000-character id is not echoed back). */
const MAX_ISSUE_CHARS = 200;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** One line per invalid field, e.g. `overrides.batchSize: Too small: expected number to be >=1`. */
export function fieldProblems(error: ZodError): string[] {
  return error.issues.slice(0, 20).map((i) => clip(`${i.path.join('.') || 'input'}: ${i.message}`, MAX_ISSUE_CHARS));
}

export function invalidInputMessage(error: ZodError): string {
  return `Invalid input: ${fieldProblems(error).join('; ')}`;
}

/** A 500 whose message is safe to show: the id leads to the full error in the server log. */
export class InternalError extends TRPCError {
  readonly errorId = crypto.randomBytes(4).toString('hex');
  constructor(cause: unknown) {
    super({ code: 'INTERNAL_SERVER_ERROR', cause: cause instanceof Error ? cause : undefined, message: '' });
    this.message = `The server failed on this request (error ${this.errorId}); an admin can find the details in the server log.`;
  }
}

/** What a client may read of an error: a 500 that did not pass the procedures' boundary (e.g.
 * one thrown while the context was made) says only that the server failed. */
export function safeMessage(error: TRPCError): string {
  if (error.code !== 'INTERNAL_SERVER_ERROR' || error instanceof InternalError) return error.message;
  return 'The server failed on this request; an admin can find the details in the server log.';
}

/** The ZodError a handler threw. tRPC keeps zod 4's errors only as a copy with their name and
 * their message (the issues as JSON), so the issues are read back from that message. */
export function thrownZodError(cause: unknown): ZodError | null {
  if (cause instanceof ZodError) return cause;
  if (!(cause instanceof Error) || cause.name !== 'ZodError') return null;
  try {
    const issues: unknown = JSON.parse(cause.message.slice(cause.message.indexOf('[')));
    return Array.isArray(issues) ? new ZodError(issues) : null;
  } catch {
    return new ZodError([{ code: 'custom', path: [], message: 'the request is not valid', input: undefined }]);
  }
}

/** What a handler's failure becomes for the client: a service's Refusal keeps its code and
 * message, ZodErrors thrown after input validation (e.g. while a preset resolves) are the
 * client's mistake, other unexpected errors are hidden. */
export function toClientError(error: TRPCError): TRPCError {
  if (error instanceof InternalError || error.code !== 'INTERNAL_SERVER_ERROR') return error;
  if (error.cause instanceof Refusal) return new TRPCError({ code: error.cause.code, message: error.cause.message });
  const zod = thrownZodError(error.cause);
  if (zod) return new TRPCError({ code: 'BAD_REQUEST', message: invalidInputMessage(zod), cause: zod });
  return new InternalError(error.cause ?? error);
}

/** The log line for a failed procedure (only 500s: the client's own mistakes are not logged). */
export function internalErrorLine(path: string | undefined, error: TRPCError): string | null {
  if (error.code !== 'INTERNAL_SERVER_ERROR') return null;
  const id = error instanceof InternalError ? error.errorId : 'no-id';
  const cause = error.cause ?? error;
  return `tRPC ${path ?? '?'} failed (error ${id}): ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
}
