/** The one error type the API renders; `code` is the contract's stable snake_case code. */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: Record<string, unknown>,
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Short constructors so services read like the contract's status table. */
export const errors = {
  invalid: (message: string, details?: Record<string, unknown>) => new AppError(400, 'invalid_input', message, details),
  unauthorized: (message = 'Authentication required') => new AppError(401, 'unauthorized', message),
  invalidCredentials: (message = 'Wrong username or password') => new AppError(401, 'invalid_credentials', message),
  forbidden: (message = 'You are not allowed to do that') => new AppError(403, 'forbidden', message),
  notFound: (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`),
  conflict: (message: string, code = 'conflict') => new AppError(409, code, message),
  gone: (message: string, code = 'invite_expired') => new AppError(410, code, message),
  tooLarge: (message = 'Payload too large') => new AppError(413, 'payload_too_large', message),
  unsupportedMedia: (message: string) => new AppError(415, 'unsupported_media_type', message),
  rateLimited: (retryAfterSeconds: number, message = 'Too many requests, slow down') =>
    new AppError(429, 'rate_limited', message, { retryAfterSeconds }, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) }),
  unavailable: (code: string, message: string) => new AppError(503, code, message),
};
