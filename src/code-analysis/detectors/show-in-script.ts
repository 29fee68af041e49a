import { isInvoked, isMethod, linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';

/** Bases whose show() is a plotting library's, not a DataFrame's. */
const PLOTTING_BASES = /^(plt|pyplot|fig|figure|matplotlib|px|go|sns|chart|image|img)$/i;

/**
 * show() in a plain .py/.scala script (a batch job): each call is an action that runs a job to print rows to
 * the driver's log. In notebooks show() is how one looks at data and is left alone.
 */
export const showInScriptDetector: CodeDetector = {
  type: 'show-in-script',
  description: 'show() in a script (not a notebook): an extra job per call whose output goes to the driver log.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.show.html',
  languages: ['python', 'scala'],
  severity: 'INFO',
  detect(parsed) {
    if (parsed.document.format === 'jupyter' || parsed.document.format === 'databricks') return [];
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (link.name !== 'show' || !isMethod(link) || !isInvoked(cell, link)) continue;
      const baseName = link.base?.kind === 'name' ? link.base.name : '';
      if (PLOTTING_BASES.test(baseName) || link.receiver?.name === 'pyplot') continue;
      findings.push({
        cell,
        position: link.position,
        title: 'show() in a batch script runs a job to print rows',
        description:
          'show() is an action: in a scheduled job it recomputes the DataFrame (unless cached) to print 20 rows into the ' +
          'driver log, where nobody reads them.',
        confidence: 'MEDIUM',
        suggestion: 'Remove it, or log counts and samples deliberately behind a debug flag.',
        tradeoffs: 'show() on a cached DataFrame is cheap, and some teams use it as a log of what a run produced.',
        evidence: { method: 'show' },
      });
    }
    return findings;
  },
};
