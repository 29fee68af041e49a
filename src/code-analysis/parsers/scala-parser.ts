import scalameta from 'scalameta-parsers';
import type { ScalametaNode } from 'scalameta-parsers';
import type { CellPosition } from '../code-model.js';
import {
  lineStartsOf,
  linkOnto,
  positionAt,
  type CallArgument,
  type ChainLink,
  type LambdaFact,
  type ParameterTransform,
} from './syntax-facts.js';
import type { PythonFacts } from './python-parser.js';

/** The syntax facts of Scala code; the same shape as Python's. */
export type ScalaFacts = PythonFacts;

/**
 * Notebook cells hold statements (`val df = ...`, `df.count()`), which are not a compilation unit. Wrapping them in
 * an object body makes them one; the prefix ends in a newline so columns stay put and lines move by exactly one.
 */
const WRAPPER_PREFIX = 'object SparkSwordCell {\n';
const WRAPPER_SUFFIX = '\n}';

function isNode(value: unknown): value is ScalametaNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function field(node: ScalametaNode, name: string): ScalametaNode | null {
  const value = node[name];
  return isNode(value) ? value : null;
}

function list(node: ScalametaNode | null, name: string): ScalametaNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

function nameOf(node: ScalametaNode | null): string | null {
  return node && typeof node['value'] === 'string' ? node['value'] : null;
}

/** The parameters of a Term.Function or a Defn.Def's first parameter list. */
function paramsOf(clause: ScalametaNode | null): string[] {
  return list(clause, 'values').map((param) => nameOf(field(param, 'name')) ?? '_');
}

/** The chain of member names applied to `param` (`s.trim.toLowerCase` → ['trim', 'toLowerCase']); null otherwise. */
function transformOf(node: ScalametaNode, param: string | null): ParameterTransform {
  if (node.type === 'Term.Placeholder') return param === null ? [] : null;
  if (node.type === 'Term.Name') return param !== null && nameOf(node) === param ? [] : null;
  if (node.type === 'Term.Select') {
    const inner = transformOf(field(node, 'qual')!, param);
    const name = nameOf(field(node, 'name'));
    return inner === null || name === null ? null : [...inner, name];
  }
  if (node.type === 'Term.Apply') {
    const fun = field(node, 'fun');
    const args = list(field(node, 'argClause'), 'values');
    if (fun?.type === 'Term.Select' && args.every((arg) => arg.type.startsWith('Lit.'))) return transformOf(fun, param);
    if (fun?.type === 'Term.Name' && args.length >= 1 && args.slice(1).every((arg) => arg.type.startsWith('Lit.'))) {
      const inner = transformOf(args[0]!, param);
      return inner === null ? null : [...inner, nameOf(fun)!];
    }
  }
  return null;
}

/**
 * Reads Scala code with scalameta's parser (its Scala.js build) and collects the facts detectors use. Code that
 * is not a compilation unit (a notebook cell of statements) is parsed inside an object body. scalameta stops at
 * the first syntax error: the cell then yields that problem and no facts.
 */
export function parseScala(text: string): ScalaFacts {
  const facts: ScalaFacts = { links: [], references: [], assignments: [], functions: [], problems: [] };
  const lineStarts = lineStartsOf(text);
  let shift = 0;
  let parsed = scalameta.parseSource(text);
  if ('error' in parsed) {
    const wrapped = scalameta.parseSource(WRAPPER_PREFIX + text + WRAPPER_SUFFIX);
    if ('error' in wrapped) {
      const offset = Math.max(0, Math.min(text.length, wrapped.pos.start - WRAPPER_PREFIX.length));
      facts.problems.push({ position: positionAt(lineStarts, offset), message: `Scala syntax error: ${wrapped.error}` });
      return facts;
    }
    parsed = wrapped;
    shift = WRAPPER_PREFIX.length;
  }
  const source = text;
  const at = (node: ScalametaNode): CellPosition => positionAt(lineStarts, Math.max(0, node.pos.start - shift));
  const textOf = (node: ScalametaNode): string => source.slice(node.pos.start - shift, node.pos.end - shift);
  let nextId = 0;

  const newLink = (
    name: string,
    nameNode: ScalametaNode,
    kind: ChainLink['kind'],
    receiver: ChainLink | null,
    base: ChainLink['base'],
    loopDepth: number,
  ): ChainLink => {
    const link = linkOnto({ id: nextId++, name, kind, receiver, base, position: at(nameNode), offset: nameNode.pos.start - shift, loopDepth });
    facts.links.push(link);
    return link;
  };

  const lambdaOf = (node: ScalametaNode): LambdaFact => {
    if (node.type === 'Term.AnonymousFunction') {
      const transform = transformOf(field(node, 'body')!, null);
      return { params: ['_'], transform: transform && transform.length > 0 ? transform : null };
    }
    const params = paramsOf(field(node, 'paramClause'));
    const body = field(node, 'body');
    const transform = body && params[0] !== undefined ? transformOf(body, params[0]) : null;
    return { params, transform: transform && transform.length > 0 ? transform : null };
  };

  const readArgs = (clause: ScalametaNode | null, loopDepth: number): CallArgument[] =>
    list(clause, 'values').map((value): CallArgument => {
      const named = value.type === 'Term.Assign' && field(value, 'lhs')?.type === 'Term.Name';
      const expression = named ? field(value, 'rhs')! : value;
      visit(expression, loopDepth);
      const argument: CallArgument = {
        keyword: named ? nameOf(field(value, 'lhs')) : null,
        kind: 'other',
        text: textOf(expression),
        offset: expression.pos.start - shift,
        value: null,
        name: null,
        lambda: null,
      };
      const literal = expression['value'];
      if (expression.type === 'Lit.String' && typeof literal === 'string') return { ...argument, kind: 'string', value: literal };
      if (['Lit.Int', 'Lit.Long', 'Lit.Double', 'Lit.Float'].includes(expression.type)) {
        return { ...argument, kind: 'number', value: Number(literal) };
      }
      if (expression.type === 'Lit.Boolean') return { ...argument, kind: 'boolean', value: literal === true };
      if (expression.type === 'Term.Name') return { ...argument, kind: 'name', name: nameOf(expression) };
      if (expression.type === 'Term.Function' || expression.type === 'Term.AnonymousFunction') {
        return { ...argument, kind: 'lambda', lambda: lambdaOf(expression) };
      }
      if (['Term.Apply', 'Term.Select', 'Term.ApplyInfix'].includes(expression.type)) return { ...argument, kind: 'call' };
      return argument;
    });

  /** The link an expression ends in, visiting its parts; null when it is not a call or member access. */
  const linkFor = (node: ScalametaNode, loopDepth: number, kind: ChainLink['kind'] = 'attribute'): ChainLink | null => {
    switch (node.type) {
      case 'Term.Apply': {
        let fun = field(node, 'fun')!;
        if (fun.type === 'Term.ApplyType') fun = field(fun, 'fun')!;
        let link: ChainLink | null = null;
        if (fun.type === 'Term.Name') link = newLink(nameOf(fun)!, fun, 'call', null, null, loopDepth);
        else if (fun.type === 'Term.Select' || fun.type === 'Term.Apply') link = linkFor(fun, loopDepth, 'call');
        else visit(fun, loopDepth);
        const args = readArgs(field(node, 'argClause'), loopDepth);
        // `f(a)(b)`: the second argument list belongs to the same call.
        if (link) link.args = fun.type === 'Term.Apply' ? [...link.args, ...args] : args;
        return link;
      }
      case 'Term.Select': {
        const qual = field(node, 'qual')!;
        const nameNode = field(node, 'name')!;
        const name = nameOf(nameNode)!;
        if (qual.type === 'Term.Name') {
          recordReference(qual, loopDepth);
          return newLink(name, nameNode, kind, null, { kind: 'name', name: nameOf(qual)! }, loopDepth);
        }
        const receiver = ['Term.Apply', 'Term.Select', 'Term.ApplyInfix', 'Term.ApplyType'].includes(qual.type)
          ? linkFor(qual.type === 'Term.ApplyType' ? field(qual, 'fun')! : qual, loopDepth)
          : (visit(qual, loopDepth), null);
        const base: ChainLink['base'] = receiver
          ? receiver.base
          : { kind: qual.type.startsWith('Lit.') ? 'literal' : 'expression', text: textOf(qual) };
        return newLink(name, nameNode, kind, receiver, base, loopDepth);
      }
      case 'Term.ApplyInfix': {
        // `a crossJoin b`, `df1 join df2`: a method call written infix.
        const lhs = field(node, 'lhs')!;
        const op = field(node, 'op')!;
        let receiver: ChainLink | null = null;
        let base: ChainLink['base'];
        if (lhs.type === 'Term.Name') {
          recordReference(lhs, loopDepth);
          base = { kind: 'name', name: nameOf(lhs)! };
        } else {
          receiver = linkFor(lhs, loopDepth);
          base = receiver ? receiver.base : { kind: 'expression', text: textOf(lhs) };
        }
        const link = newLink(nameOf(op)!, op, 'call', receiver, base, loopDepth);
        link.args = readArgs(field(node, 'argClause'), loopDepth);
        return link;
      }
      default:
        visit(node, loopDepth);
        return null;
    }
  };

  const recordReference = (node: ScalametaNode, loopDepth: number): void => {
    facts.references.push({ name: nameOf(node)!, offset: node.pos.start - shift, position: at(node), loopDepth });
  };

  const recordPattern = (pattern: ScalametaNode): void => {
    if (pattern.type === 'Pat.Var') {
      const name = field(pattern, 'name');
      if (name) facts.assignments.push({ name: nameOf(name)!, offset: name.pos.start - shift, position: at(name) });
      return;
    }
    for (const value of Object.values(pattern)) {
      if (isNode(value)) recordPattern(value);
      else if (Array.isArray(value)) value.filter(isNode).forEach(recordPattern);
    }
  };

  function visit(node: ScalametaNode, loopDepth: number): void {
    switch (node.type) {
      case 'Term.Name':
        recordReference(node, loopDepth);
        return;
      case 'Import':
        return;
      case 'Term.Apply':
      case 'Term.Select':
      case 'Term.ApplyInfix':
        linkFor(node, loopDepth);
        return;
      case 'Defn.Val':
      case 'Defn.Var': {
        const patterns = list(node, 'pats');
        patterns.forEach(recordPattern);
        const rhs = field(node, 'rhs');
        if (rhs) {
          const link = linkFor(rhs, loopDepth);
          const target = patterns.length === 1 && patterns[0]!.type === 'Pat.Var' ? nameOf(field(patterns[0]!, 'name')) : null;
          if (link && target) link.assignedTo = target;
        }
        return;
      }
      case 'Term.Assign': {
        const lhs = field(node, 'lhs');
        if (lhs?.type === 'Term.Name') facts.assignments.push({ name: nameOf(lhs)!, offset: lhs.pos.start - shift, position: at(lhs) });
        else if (lhs) visit(lhs, loopDepth);
        const rhs = field(node, 'rhs');
        if (rhs) {
          const link = linkFor(rhs, loopDepth);
          if (link && lhs?.type === 'Term.Name') link.assignedTo = nameOf(lhs);
        }
        return;
      }
      case 'Defn.Def': {
        const nameNode = field(node, 'name');
        const clauses = list(list(node, 'paramClauseGroups')[0] ?? null, 'paramClauses');
        const params = paramsOf(clauses[0] ?? null);
        const body = field(node, 'body');
        const transform = body && params[0] !== undefined ? transformOf(body, params[0]) : null;
        if (nameNode) {
          facts.functions.push({
            name: nameOf(nameNode)!,
            params,
            decorators: [],
            transform: transform && transform.length > 0 ? transform : null,
            position: at(nameNode),
          });
        }
        if (body) visit(body, loopDepth);
        return;
      }
      case 'Term.For':
      case 'Term.ForYield': {
        const enums = list(field(node, 'enumsBlock'), 'enums').concat(list(node, 'enums'));
        enums.forEach((enumerator, i) => {
          const pattern = field(enumerator, 'pat');
          if (pattern) recordPattern(pattern);
          const rhs = field(enumerator, 'rhs') ?? field(enumerator, 'cond');
          // The first generator is evaluated once; later generators and guards once per iteration.
          if (rhs) visit(rhs, i === 0 ? loopDepth : loopDepth + 1);
        });
        const body = field(node, 'body');
        if (body) visit(body, loopDepth + 1);
        return;
      }
      case 'Term.While':
      case 'Term.Do':
        for (const part of [field(node, 'expr'), field(node, 'body')]) if (part) visit(part, loopDepth + 1);
        return;
      case 'Term.Param':
      case 'Pat.Var':
        return;
      default:
        if (node.type.startsWith('Lit.') || node.type.startsWith('Type.')) return;
    }
    const isDefinition = node.type.startsWith('Defn.');
    for (const [key, value] of Object.entries(node)) {
      // A definition's own name (`object Job`, `class Reader`) is not a use of anything.
      if (key === 'pos' || (isDefinition && key === 'name')) continue;
      if (isNode(value)) visit(value, loopDepth);
      else if (Array.isArray(value)) for (const item of value) if (isNode(item)) visit(item, loopDepth);
    }
  }

  visit(parsed, 0);
  facts.links.sort((a, b) => a.offset - b.offset);
  facts.links.forEach((link, index) => (link.id = index));
  return facts;
}
