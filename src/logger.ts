import { pino, type Logger } from 'pino';

/** Where log lines go; the CLI points it at stderr so stdout carries only the command's output. */
export interface LogSink {
  write: (line: string) => unknown;
}

let sink: LogSink = process.stdout;

/**
 * Sends every later log line to `target` (process.stdout until called). A delegating destination, because
 * pino fixes its destination when the logger is created, which is before the CLI has parsed its options.
 */
export function routeLogsTo(target: LogSink): void {
  sink = target;
}

/** The process-wide structured logger; level from LOG_LEVEL (default info). */
export const logger: Logger = pino(
  {
    name: 'spark-sword',
    level: process.env.LOG_LEVEL ?? 'info',
  },
  { write: (line: string) => sink.write(line) },
);
