import type { Confidence } from '../../analysis/insight.js';
import { isInvoked, isMethod, type CodeDetector, type CodeFinding } from '../code-detector.js';
import type { CellFacts, ChainLink } from '../parsers/syntax-facts.js';

/** A point in the document: cells in order, then offsets within a cell. */
interface Place {
  cellOrder: number;
  offset: number;
}

/** Where `offset` of `cell` stands in the document. */
const placeOf = (cells: readonly CellFacts[], cell: CellFacts, offset: number): Place => ({ cellOrder: cells.indexOf(cell), offset });

const after = (a: Place, b: Place): boolean => a.cellOrder > b.cellOrder || (a.cellOrder === b.cellOrder && a.offset > b.offset);

/** The variable whose DataFrame a cache()/persist() marks: `x = ....cache()` or `df.cache()` (which marks df itself). */
function cachedVariable(link: ChainLink): string | null {
  if (link.assignedTo !== null) return link.assignedTo;
  if (link.receiver === null && link.base?.kind === 'name') return link.base.name;
  return null;
}

/**
 * How many times the value of `name` assigned at `from` is read before the variable is reassigned, counting a read
 * inside a deeper loop as many (2) and unpersist() as none. A read that builds another variable
 * (`enriched = orders.join(dim)`) counts as the reads of that variable: each action on `enriched` reads `dim` again.
 */
function readsAfter(cells: readonly CellFacts[], name: string, from: Place, loopDepth: number, followed: Set<string>): number {
  // The next assignment to the variable ends the value's life; `df = df.filter(...)` reads it first.
  let endsAt: Place | null = null;
  let endLine: { cellOrder: number; line: number } | null = null;
  for (const other of cells) {
    for (const assignment of other.assignments) {
      const place = placeOf(cells, other, assignment.offset);
      if (assignment.name === name && after(place, from) && (endsAt === null || after(endsAt, place))) {
        endsAt = place;
        endLine = { cellOrder: place.cellOrder, line: assignment.position.line };
      }
    }
  }
  let reads = 0;
  for (const other of cells) {
    const unpersisted = new Set(
      other.links.filter((each) => each.name === 'unpersist' && each.receiver === null && each.base?.kind === 'name' && each.base.name === name).map((each) => each.position.line),
    );
    for (const reference of other.references) {
      const place = placeOf(cells, other, reference.offset);
      if (reference.name !== name || !after(place, from)) continue;
      const sameLineAsEnd = endLine !== null && endLine.cellOrder === place.cellOrder && endLine.line === reference.position.line;
      if (endsAt !== null && after(place, endsAt) && !sameLineAsEnd) continue;
      if (unpersisted.has(reference.position.line)) continue;
      const weight = reference.loopDepth > loopDepth ? 2 : 1;
      const builds = other.assignments.find(
        (assignment) => assignment.position.line === reference.position.line && assignment.offset < reference.offset && !followed.has(assignment.name),
      );
      if (builds === undefined) {
        reads += weight;
        continue;
      }
      followed.add(builds.name);
      reads += weight * Math.max(1, readsAfter(cells, builds.name, placeOf(cells, other, builds.offset), reference.loopDepth, followed));
    }
  }
  return reads;
}

/**
 * cache()/persist() whose DataFrame is used at most once afterwards: caching pays only when a second action
 * reads it, directly or through a DataFrame built from it (see readsAfter).
 */
export const unusedCacheDetector: CodeDetector = {
  type: 'unused-cache',
  description: 'cache() / persist() of a DataFrame that is used at most once afterwards: the cache costs memory and a write, and nothing reads it twice.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/rdd-programming-guide.html#rdd-persistence',
  languages: ['python', 'scala'],
  severity: 'LOW',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    const cells = parsed.cells;
    for (const cell of cells) {
      for (const link of cell.links) {
        if ((link.name !== 'cache' && link.name !== 'persist') || !isMethod(link) || !isInvoked(cell, link)) continue;
        const name = cachedVariable(link);
        if (name === null) continue;
        const cachedAt = placeOf(cells, cell, link.offset);
        const uses = (link.next !== null && link.next.name !== 'unpersist' ? 1 : 0) + readsAfter(cells, name, cachedAt, link.loopDepth, new Set([name]));
        if (uses > 1) continue;
        const confidence: Confidence = uses === 0 ? 'HIGH' : 'MEDIUM';
        findings.push({
          cell,
          position: link.position,
          title: `${link.name}() of ${name}, which is ${uses === 0 ? 'never used afterwards' : 'used only once afterwards'}`,
          description:
            `${name} is cached with ${link.name}() and then read ${uses === 0 ? 'by nothing' : 'once'} in this file. A cache is ` +
            'filled by the first action that reads it and pays off only when a second action reads it again; until then it ' +
            'takes executor storage memory (evicting other cached data) and the time to build the cached blocks.',
          confidence,
          suggestion: uses === 0 ? `Remove the ${link.name}() call.` : `Remove the ${link.name}() call, or cache only where a second action reuses the data.`,
          tradeoffs:
            'A cache also protects against recomputing an expensive or non-deterministic lineage after an executor is ' +
            'lost, and other notebooks or a later session may read it; this file is all that was examined.',
          evidence: { variable: name, usesAfterCache: uses },
        });
      }
    }
    return findings;
  },
};
