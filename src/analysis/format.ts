import { MiB } from '../model/units.js';
/** Number formatting shared by detectors' titles and descriptions (evidence keeps the raw numbers). */


/** Bytes as a short human size: "812 KB", "64 MB", "10.1 GB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * MiB) return `${(bytes / (1024 * 1024 * MiB)).toFixed(1)} TB`;
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${Math.round(bytes)} B`;
}

/** Milliseconds as a short duration: "850 ms", "12.3 s", "4.2 min", "1.5 h". */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

/** A 0-1 share as a percentage: "7%", "0.4%". */
export function formatShare(share: number): string {
  const percent = share * 100;
  if (percent > 0 && percent < 0.1) return '<0.1%';
  return `${percent >= 10 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** Rounds a ratio for evidence (keeps JSON readable without losing what matters). */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A stage as people name it in text: "stage 3" or "stage 3 (attempt 1)". */
export function stageLabel(stageId: number, attemptId: number): string {
  return attemptId === 0 ? `stage ${stageId}` : `stage ${stageId} (attempt ${attemptId})`;
}

/** Text with its first letter upper-cased, for a label that starts a sentence: "stage 3" → "Stage 3". */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A count and its noun, singular for one: "1 job", "3 jobs", "2 stretches" (with the plural given). */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}

/** Names for a sentence: every one up to `max`, else the first `max` and how many more ("1, 2, 3 and 9 more"). */
export function someOf(names: readonly (string | number)[], max: number): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Things of one kind named in a sentence: "stage 3", "stages 1, 2", or past `max` "30 stages (0, 1, 2, 3, 4 and 25
 * more)". A failing job that retries one exception everywhere listed hundreds of stages in one sentence; an insight's
 * evidence keeps them all.
 */
export function nameSome(noun: string, names: readonly (string | number)[], max = 5): string {
  if (names.length <= max) return `${noun}${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
  return `${names.length} ${noun}s (${someOf(names, max)})`;
}
