// A request the server refuses for a reason the person can act on (a limit, something that
// depends on what they want to delete, someone else's run): tRPC answers it with its code and
// message (server/api/errors.ts), never as a 500.
export type RefusalCode = 'BAD_REQUEST' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'PRECONDITION_FAILED';

export class Refusal extends Error {
  constructor(
    message: string,
    readonly code: RefusalCode,
  ) {
    super(message);
  }
}
