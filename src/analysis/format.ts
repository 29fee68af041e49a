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
