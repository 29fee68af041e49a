import type { SyntaxNode } from '@lezer/common';
import { parser as pythonGrammar } from '@lezer/python';
import type { CellPosition } from '../code-model.js';
import {
  lineStartsOf,
  linkOnto,
  positionAt,
  type CallArgument,
  type ChainLink,
  type FunctionFact,
  type LambdaFact,
  type NameAssignment,
  type NameReference,
  type ParameterTransform,
  type ParseProblem,
} from './syntax-facts.js';

/** The syntax facts of Python code (everything but the cell bookkeeping). */
export interface PythonFacts {
  links: ChainLink[];
  references: NameReference[];
  assignments: NameAssignment[];
  functions: FunctionFact[];
  problems: ParseProblem[];
}

/** At most this many syntax errors are reported per cell: after the first few, the rest are usually echoes. */
const MAX_PROBLEMS = 3;

const COMPREHENSIONS = new Set([
  'ArrayComprehensionExpression',
  'SetComprehensionExpression',
  'DictionaryComprehensionExpression',
  'ComprehensionExpression',
]);

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) children.push(child);
  return children;
}

/** The value of a Python string literal without prefix and quotes (escapes left as written). */
function stringValue(text: string): string {
  const body = text.replace(/^[rRbBuU]{0,2}/, '');
  const quote = body.startsWith('"""') || body.startsWith("'''") ? 3 : 1;
  return body.slice(quote, body.length - quote);
}

/**
 * Reads Python code with the Lezer Python grammar (error-tolerant: a syntax error becomes a problem and the rest
 * of the cell is still read) and collects the facts detectors use. Strings and comments are tree nodes, so code
 * inside them never makes a call; f-string replacement fields are code and do.
 */
export function parsePython(text: string): PythonFacts {
  const tree = pythonGrammar.parse(text);
  const lineStarts = lineStartsOf(text);
  const at = (offset: number): CellPosition => positionAt(lineStarts, offset);
  const source = (node: SyntaxNode): string => text.slice(node.from, node.to);
  const facts: PythonFacts = { links: [], references: [], assignments: [], functions: [], problems: [] };
  let nextId = 0;

  const newLink = (
    name: string,
    nameNode: SyntaxNode,
    kind: ChainLink['kind'],
    receiver: ChainLink | null,
    base: ChainLink['base'],
    loopDepth: number,
    listed = true,
  ): ChainLink => {
    const link = linkOnto({ id: nextId++, name, kind, receiver, base, position: at(nameNode.from), offset: nameNode.from, loopDepth });
    if (listed) facts.links.push(link);
    return link;
  };

  const transformOf = (node: SyntaxNode, param: string): ParameterTransform => {
    if (node.name === 'VariableName') return source(node) === param ? [] : null;
    if (node.name !== 'CallExpression') return null;
    const [callee, argList] = [node.firstChild, node.lastChild];
    if (!callee || argList?.name !== 'ArgList') return null;
    const argNodes = childrenOf(argList).filter((child) => !['(', ')', ','].includes(child.name));
    const literal = (child: SyntaxNode): boolean => ['String', 'Number', 'Boolean', 'None'].includes(child.name);
    if (callee.name === 'MemberExpression') {
      const object = callee.firstChild;
      const property = callee.lastChild;
      if (!object || property?.name !== 'PropertyName' || !argNodes.every(literal)) return null;
      const inner = transformOf(object, param);
      return inner === null ? null : [...inner, source(property)];
    }
    if (callee.name === 'VariableName' && argNodes.length >= 1 && argNodes.slice(1).every(literal)) {
      const inner = transformOf(argNodes[0]!, param);
      return inner === null ? null : [...inner, source(callee)];
    }
    return null;
  };

  const paramNames = (paramList: SyntaxNode | null): string[] => {
    if (!paramList) return [];
    const names: string[] = [];
    let previous: SyntaxNode | null = null;
    for (const child of childrenOf(paramList)) {
      // A default value's name (`n=m`) is not a parameter: only names right after "(" or ",".
      if (child.name === 'VariableName' && (previous === null || ['(', ','].includes(previous.name))) names.push(source(child));
      previous = child;
    }
    return names;
  };

  const lambdaOf = (node: SyntaxNode): LambdaFact => {
    const params = paramNames(node.getChild('ParamList'));
    const body = node.lastChild;
    const transform = body && params[0] !== undefined ? transformOf(body, params[0]) : null;
    return { params, transform: transform && transform.length > 0 ? transform : null };
  };

  const readArgs = (argList: SyntaxNode, loopDepth: number): CallArgument[] => {
    const groups: SyntaxNode[][] = [[]];
    for (const child of childrenOf(argList)) {
      if (child.name === '(' || child.name === ')') continue;
      if (child.name === ',') groups.push([]);
      else groups[groups.length - 1]!.push(child);
    }
    return groups
      .filter((group) => group.length > 0)
      .map((group): CallArgument => {
        const isKeyword = group.length >= 3 && group[0]!.name === 'VariableName' && group[1]!.name === 'AssignOp';
        const expression = group[group.length - 1]!;
        for (const part of isKeyword ? [expression] : group) visit(part, loopDepth);
        const text = source(expression);
        const argument: CallArgument = {
          keyword: isKeyword ? source(group[0]!) : null,
          kind: 'other',
          text,
          offset: expression.from,
          value: null,
          name: null,
          lambda: null,
        };
        if (group.length > 1 && !isKeyword) return argument; // *args, **kwargs
        switch (expression.name) {
          case 'String':
            return { ...argument, kind: 'string', value: stringValue(text) };
          case 'Number':
            return { ...argument, kind: 'number', value: Number(text.replace(/_/g, '')) };
          case 'Boolean':
            return { ...argument, kind: 'boolean', value: text === 'True' };
          case 'VariableName':
            return { ...argument, kind: 'name', name: text };
          case 'LambdaExpression':
            return { ...argument, kind: 'lambda', lambda: lambdaOf(expression) };
          case 'CallExpression':
          case 'MemberExpression':
            return { ...argument, kind: 'call' };
          default:
            return argument;
        }
      });
  };

  /** The link an expression ends in, visiting its parts; null when it is not a call or member access. */
  const linkFor = (node: SyntaxNode, loopDepth: number): ChainLink | null => {
    if (node.name === 'CallExpression') {
      const callee = node.firstChild;
      const argList = node.lastChild;
      if (callee && argList?.name === 'ArgList') {
        let link: ChainLink | null = null;
        if (callee.name === 'VariableName') link = newLink(source(callee), callee, 'call', null, null, loopDepth);
        else if (callee.name === 'MemberExpression') link = memberLink(callee, 'call', loopDepth);
        else visit(callee, loopDepth);
        const args = readArgs(argList, loopDepth);
        if (link) link.args = args;
        return link;
      }
    }
    if (node.name === 'MemberExpression') return memberLink(node, 'attribute', loopDepth);
    visit(node, loopDepth);
    return null;
  };

  const memberLink = (member: SyntaxNode, kind: ChainLink['kind'], loopDepth: number): ChainLink | null => {
    const object = member.firstChild;
    const property = member.lastChild;
    if (!object || property?.name !== 'PropertyName') {
      for (const child of childrenOf(member)) visit(child, loopDepth);
      return null;
    }
    if (object.name === 'VariableName') {
      recordReference(object, loopDepth);
      return newLink(source(property), property, kind, null, { kind: 'name', name: source(object) }, loopDepth);
    }
    if (object.name === 'CallExpression' || object.name === 'MemberExpression') {
      const receiver = linkFor(object, loopDepth);
      const base = receiver ? receiver.base : { kind: 'expression' as const, text: source(object) };
      return newLink(source(property), property, kind, receiver, base, loopDepth);
    }
    visit(object, loopDepth);
    const literal = ['String', 'Number', 'ArrayExpression', 'DictionaryExpression', 'TupleExpression', 'FormatString'].includes(object.name);
    return newLink(source(property), property, kind, null, { kind: literal ? 'literal' : 'expression', text: source(object) }, loopDepth);
  };

  const recordReference = (node: SyntaxNode, loopDepth: number): void => {
    facts.references.push({ name: source(node), offset: node.from, position: at(node.from), loopDepth });
  };

  const recordAssignment = (node: SyntaxNode): void => {
    if (node.name === 'VariableName') facts.assignments.push({ name: source(node), offset: node.from, position: at(node.from) });
    else for (const child of childrenOf(node)) recordAssignment(child);
  };

  const decoratorLink = (decorator: SyntaxNode): ChainLink | null => {
    const names = childrenOf(decorator).filter((child) => child.name === 'VariableName');
    const last = names[names.length - 1];
    if (!last) return null;
    const argList = decorator.getChild('ArgList');
    const base = names.length > 1 ? { kind: 'name' as const, name: source(names[0]!) } : null;
    const link = newLink(source(last), last, argList ? 'call' : 'attribute', null, base, 0, false);
    if (argList) link.args = readArgs(argList, 0);
    return link;
  };

  const visitFunction = (definition: SyntaxNode, decorators: SyntaxNode[], loopDepth: number): void => {
    const nameNode = definition.getChild('VariableName');
    const paramList = definition.getChild('ParamList');
    const body = definition.getChild('Body');
    const params = paramNames(paramList);
    const statements = body ? childrenOf(body).filter((child) => child.name !== ':' && child.name !== 'Comment') : [];
    const meaningful = statements.filter((statement, i) => !(i === 0 && statement.name === 'ExpressionStatement' && statement.firstChild?.name === 'String'));
    let transform: ParameterTransform = null;
    const only = meaningful.length === 1 ? meaningful[0]! : null;
    if (only?.name === 'ReturnStatement' && only.lastChild && params[0] !== undefined) {
      const found = transformOf(only.lastChild, params[0]);
      transform = found && found.length > 0 ? found : null;
    }
    if (nameNode) {
      facts.functions.push({
        name: source(nameNode),
        params,
        decorators: decorators.map(decoratorLink).filter((link): link is ChainLink => link !== null),
        transform,
        position: at(nameNode.from),
      });
    }
    if (paramList) for (const child of childrenOf(paramList)) if (child.name !== 'VariableName') visit(child, loopDepth);
    if (body) visit(body, loopDepth);
  };

  const visitLoop = (loop: SyntaxNode, loopDepth: number): void => {
    const children = childrenOf(loop);
    if (loop.name === 'WhileStatement') {
      // The condition runs once per iteration, like the body.
      for (const child of children) visit(child, loopDepth + 1);
      return;
    }
    const inIndex = children.findIndex((child) => child.name === 'in');
    children.forEach((child, i) => {
      if (i < inIndex) recordAssignment(child);
      else if (child.name === 'Body') visit(child, loopDepth + 1);
      else visit(child, loopDepth);
    });
  };

  const visitComprehension = (node: SyntaxNode, loopDepth: number): void => {
    const children = childrenOf(node);
    const firstFor = children.findIndex((child) => child.name === 'for');
    const firstIn = children.findIndex((child) => child.name === 'in');
    children.forEach((child, i) => {
      if (i > firstFor && i < firstIn) recordAssignment(child);
      // The first iterable is evaluated once; the element and later clauses once per item.
      else if (i === firstIn + 1) visit(child, loopDepth);
      else visit(child, loopDepth + 1);
    });
  };

  const visitAssignment = (statement: SyntaxNode, loopDepth: number): void => {
    const children = childrenOf(statement);
    const lastOp = children.map((child) => child.name).lastIndexOf('AssignOp');
    const targets = children.slice(0, lastOp).filter((child) => child.name !== 'AssignOp' && child.name !== ',' && child.name !== 'TypeDef');
    for (const target of targets) {
      if (target.name === 'VariableName' || target.name === 'TupleExpression') recordAssignment(target);
      else visit(target, loopDepth);
    }
    for (const value of children.slice(lastOp + 1)) {
      const link = linkFor(value, loopDepth);
      if (link && targets.length === 1 && targets[0]!.name === 'VariableName') link.assignedTo = source(targets[0]!);
    }
  };

  function visit(node: SyntaxNode, loopDepth: number): void {
    if (node.type.isError && facts.problems.length < MAX_PROBLEMS) {
      const position = at(node.from);
      const previous = facts.problems[facts.problems.length - 1];
      // Error recovery often leaves several error nodes at one spot; one warning per spot is enough.
      if (previous?.position.line !== position.line || previous.position.column !== position.column) {
        facts.problems.push({ position, message: 'Python syntax error' });
      }
    }
    switch (node.name) {
      case 'Comment':
      case 'String':
      case 'ImportStatement':
        return;
      case 'VariableName':
        recordReference(node, loopDepth);
        return;
      case 'CallExpression':
      case 'MemberExpression':
        linkFor(node, loopDepth);
        return;
      case 'AssignStatement':
        visitAssignment(node, loopDepth);
        return;
      case 'ForStatement':
      case 'WhileStatement':
        visitLoop(node, loopDepth);
        return;
      case 'DecoratedStatement': {
        const definition = node.getChild('FunctionDefinition');
        if (definition) {
          visitFunction(definition, node.getChildren('Decorator'), loopDepth);
          return;
        }
        break;
      }
      case 'FunctionDefinition':
        visitFunction(node, [], loopDepth);
        return;
      case 'LambdaExpression': {
        const body = node.lastChild;
        if (body && body.name !== 'ParamList') visit(body, loopDepth);
        return;
      }
      case 'ClassDefinition':
        for (const child of childrenOf(node)) if (child.name === 'Body' || child.name === 'ArgList') visit(child, loopDepth);
        return;
      default:
        if (COMPREHENSIONS.has(node.name)) {
          visitComprehension(node, loopDepth);
          return;
        }
    }
    for (const child of childrenOf(node)) visit(child, loopDepth);
  }

  visit(tree.topNode, 0);
  facts.links.sort((a, b) => a.offset - b.offset);
  facts.links.forEach((link, index) => (link.id = index));
  return facts;
}
