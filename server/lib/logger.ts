import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; secrets are redacted by path wherever they could appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: [
        'password', '*.password', 'currentPassword', '*.currentPassword', 'newPassword', '*.newPassword',
        'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'apiKey', '*.apiKey',
      ],
      censor: '[redacted]',
    },
  });
}
