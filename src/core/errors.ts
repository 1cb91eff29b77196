/**
 * Errors with stable codes, in the style of Fastify's: callers switch on `code`,
 * the HTTP layer maps `statusCode`, and `message` names the field and the problem.
 */
export class VigilError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

export function badInput(code: string, message: string): VigilError {
  return new VigilError(code, message, 400);
}

export function isVigilError(e: unknown): e is VigilError {
  return e instanceof VigilError;
}
