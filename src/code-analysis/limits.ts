/**
 * The largest code file accepted, in bytes (5 MiB). Notebooks with outputs stripped are kilobytes; one this big
 * is mostly embedded output (images, tables), and a limit keeps one upload from holding the parser for long.
 * Enforced while an upload streams, before anything is parsed.
 */
export const MAX_CODE_FILE_BYTES = 5 * 1024 * 1024;

/** The longest excerpt of a code line carried in an insight's evidence, in characters. */
export const MAX_EXCERPT_CHARS = 160;
