import { statSync } from 'node:fs';
import { z } from 'zod';
import { MAX_PRICE } from './fleet/cost.js';
import { GiB, MiB } from './model/units.js';


/** Comma-separated list in an environment variable, trimmed, blanks dropped, lower-cased. */
const lowerCaseList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean));

/** "true"/"false" in the environment (z.coerce.boolean would take "false" as true). */
const envFlag = z.enum(['true', 'false']).default('false').transform((value) => value === 'true');

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const configSchema = z.object({
  DUCKDB_PATH: z.string().min(1).default('data/spark_sword.duckdb'),
  PROGRESS_DB_PATH: z.string().min(1).default('data/progress.duckdb'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('localhost'),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean)),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  JWT_SECRET_KEY: z
    .string()
    .min(32, 'JWT_SECRET_KEY must be at least 32 characters long')
    .optional(),
  COOKIE_DOMAIN: z.string().min(1).optional(),
  /** How long a sign-in lasts: the session cookie's Max-Age and the session JWT's `exp`. */
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(400 * 24 * 3600).default(7 * 24 * 3600),
  /** Where Google publishes the keys that sign its ID tokens; tests point it at a local JWKS. */
  GOOGLE_JWKS_URL: z.url().default('https://www.googleapis.com/oauth2/v3/certs'),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(2 * GiB),
  /** Who may read, upload and delete analysis data: everyone (loopback only), API tokens, or Google accounts. */
  AUTH_MODE: z.enum(['open', 'token', 'google']).default('open'),
  /** Lets AUTH_MODE=open listen on a non-loopback interface (anyone who reaches the port is admin). */
  ALLOW_OPEN_ON_NETWORK: envFlag,
  /** AUTH_MODE=google: these verified Google emails are admins. */
  ADMIN_EMAILS: lowerCaseList,
  /** AUTH_MODE=google: verified Google emails of these domains get GOOGLE_DOMAIN_ROLE. */
  GOOGLE_ALLOWED_DOMAINS: lowerCaseList,
  /** AUTH_MODE=google: the role of an allowed-domain account that is not in ADMIN_EMAILS. */
  GOOGLE_DOMAIN_ROLE: z.enum(['viewer', 'uploader', 'admin']).default('uploader'),
  /** Most bytes one upload may decompress to, over all its files; unset: 8 x MAX_UPLOAD_BYTES. */
  MAX_DECOMPRESSED_BYTES: z.coerce.number().int().positive().optional(),
  /** Most decompressed bytes per compressed byte once 1 MiB is out: real event logs stay far under it. */
  MAX_COMPRESSION_RATIO: z.coerce.number().positive().default(100),
  /** Most entries a zip upload may hold (checked from its central directory before anything is extracted). */
  MAX_ZIP_ENTRIES: z.coerce.number().int().positive().default(1000),
  /** Largest GraphQL response body, in bytes; a larger answer is replaced by an error. */
  MAX_RESPONSE_BYTES: z.coerce.number().int().positive().default(16 * MiB),
  /** Uploads one client (token or address) may start per minute; 0: no limit. */
  RATE_LIMIT_UPLOADS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  /** Expensive queries (estimated cost 10,000 or more) one client may run per minute; 0: no limit. */
  RATE_LIMIT_EXPENSIVE_QUERIES_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  /** Where uploads are spooled while ingested; a server's leftovers are removed at its next start. */
  UPLOAD_TMP_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DUCKDB_MEMORY_LIMIT: z.string().min(1).default('512MB'),
  /** Time budget of one API request; its DuckDB work is cancelled when it runs out (uploads are exempt). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** API requests served at once; beyond it the server answers 503 with Retry-After instead of queueing. */
  MAX_CONCURRENT_REQUESTS: z.coerce.number().int().positive().default(64),
  DUCKDB_THREADS: z.coerce.number().int().positive().optional(),
  /** Threads an ingest reads a log's task events on (unset: one per 500 MB of DUCKDB_MEMORY_LIMIT, at most DUCKDB_THREADS). */
  INGEST_TASK_READ_THREADS: z.coerce.number().int().positive().optional(),
  /** Bearer token the CLI sends when it hands logs to a running server that holds the database. */
  SPARK_SWORD_TOKEN: z.string().min(1).optional(),
  SPARK_EVENTS_DIR: z.string().min(1).default('../shared/spark-events'),
  NODE_ENV: z.string().default('development'),
  /** Load the sample logs of examples/logs into an empty database at start-up (also `npm start -- --demo`). */
  SAMPLE_DATA: envFlag,
  /** Event log directories to watch, comma-separated (History Server's spark.history.fs.logDirectory); unset: off. */
  LOG_DIRECTORY: z
    .string()
    .optional()
    .transform((value) => (value ?? '').split(',').map((path) => path.trim()).filter(Boolean)),
  /** Seconds between two scans of LOG_DIRECTORY (spark.history.fs.update.interval). */
  LOG_DIRECTORY_POLL_SECONDS: z.coerce.number().positive().max(24 * 3600).default(10),
  /** Forget applications whose log left LOG_DIRECTORY (spark.history.fs.cleaner.enabled); files are never deleted. */
  LOG_DIRECTORY_CLEANER: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  /** Price of one core held for an hour; with it cost answers show money (unset: resources only). */
  COST_PER_CORE_HOUR: z.coerce.number().nonnegative().max(MAX_PRICE).optional(),
  /** Price of one GiB of memory held for an hour. */
  COST_PER_GB_HOUR: z.coerce.number().nonnegative().max(MAX_PRICE).optional(),
  /** What makes runs "the same application" in fleet answers: "name", or a Spark property such as spark.yarn.tags. */
  FLEET_GROUP_BY: z.string().min(1).max(300).default('name'),
}).superRefine((config, context) => {
  for (const path of config.LOG_DIRECTORY) {
    if (!isDirectory(path)) {
      context.addIssue({ code: 'custom', path: ['LOG_DIRECTORY'], message: `${path} is not a directory that can be read` });
    }
  }
  // Sign-in without a session secret would verify Google's token and then have nothing to sign the session with.
  if (config.GOOGLE_CLIENT_ID && !config.JWT_SECRET_KEY) {
    context.addIssue({
      code: 'custom',
      path: ['JWT_SECRET_KEY'],
      message: 'JWT_SECRET_KEY is required when GOOGLE_CLIENT_ID is set (it signs session cookies; at least 32 characters)',
    });
  }
  if (config.AUTH_MODE === 'google') {
    if (!config.GOOGLE_CLIENT_ID) {
      context.addIssue({ code: 'custom', path: ['GOOGLE_CLIENT_ID'], message: 'AUTH_MODE=google needs GOOGLE_CLIENT_ID (and JWT_SECRET_KEY)' });
    }
    if (config.ADMIN_EMAILS.length === 0 && config.GOOGLE_ALLOWED_DOMAINS.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['ADMIN_EMAILS'],
        message: 'AUTH_MODE=google needs ADMIN_EMAILS or GOOGLE_ALLOWED_DOMAINS: otherwise no account may read anything',
      });
    }
  }
  if (config.MAX_DECOMPRESSED_BYTES !== undefined && config.MAX_DECOMPRESSED_BYTES < config.MAX_UPLOAD_BYTES) {
    context.addIssue({
      code: 'custom',
      path: ['MAX_DECOMPRESSED_BYTES'],
      message: 'MAX_DECOMPRESSED_BYTES must be at least MAX_UPLOAD_BYTES (a plain-text upload decompresses to itself)',
    });
  }
});

/** The decompressed-size budget of one upload: MAX_DECOMPRESSED_BYTES, or 8 x MAX_UPLOAD_BYTES when unset. */
export function maxDecompressedBytes(config: Pick<Config, 'MAX_DECOMPRESSED_BYTES' | 'MAX_UPLOAD_BYTES'>): number {
  return config.MAX_DECOMPRESSED_BYTES ?? 8 * config.MAX_UPLOAD_BYTES;
}

/** Validated runtime configuration, read from the environment. */
export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment holds a value the server cannot start with. */
export class ConfigError extends Error {}

/** Reads and validates configuration from `env`; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blanksRemoved = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
