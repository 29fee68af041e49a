import { pino, type Logger } from 'pino';

/** The process-wide structured logger; level from LOG_LEVEL (default info). */
export const logger: Logger = pino({
  name: 'spark-sword',
  level: process.env.LOG_LEVEL ?? 'info',
});
