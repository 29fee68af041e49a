import { readFileSync } from 'node:fs';

/** A fenced code block of a Markdown file, with where it starts, for failure messages a person can follow. */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  /** The heading the block sits under, to name it. */
  section: string;
  /** `<!-- readme-test: … -->` directives on the lines just before the fence (e.g. `expect-error CODE`, `exit 3`). */
  directives: string[];
}

/** Every fenced block of a Markdown file, in order; `file` is the name failures show, `path` where it is read. */
export function docBlocks(file: string, path: string, markdown = readFileSync(path, 'utf8')): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  let section = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[i]!);
    if (heading) section = heading[1]!.trim();
    const fence = /^(`{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!fence) continue;
    const directives: string[] = [];
    for (let j = i - 1; j >= 0 && /^<!--\s*readme-test:/.test(lines[j]!); j--) {
      directives.unshift(/^<!--\s*readme-test:\s*(.*?)\s*-->/.exec(lines[j]!)?.[1] ?? '');
    }
    const start = i;
    const body: string[] = [];
    // A closing fence is backticks alone (at least as many): "``` more text" does not close the block.
    const closes = (line: string): boolean => /^`{3,}\s*$/.test(line) && line.trim().length >= fence[1]!.length;
    for (i++; i < lines.length && !closes(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({ file, line: start + 1, lang: fence[2]!.toLowerCase(), text: body.join('\n'), section, directives });
  }
  return blocks;
}

/** One shell command of a block: its words after quote removal, and the block line it starts on. */
export interface ShellCommand {
  line: number;
  words: string[];
  /** Words that were not quoted, for the placeholder and globbing checks. */
  unquoted: string[];
  source: string;
}

/**
 * Splits a shell block into commands the way sh reads them for the simple commands a README holds: `\`
 * continues a line, `#` starts a comment outside quotes, `&&` and `;` separate commands. Pipes, redirections and
 * substitutions are refused (the test cannot tell what they would do), as the error says.
 */
export function shellCommands(block: DocBlock): ShellCommand[] {
  const commands: ShellCommand[] = [];
  const lines = block.text.split('\n');
  let words: string[] = [];
  let unquoted: string[] = [];
  let source = '';
  let startLine = 0;
  const flush = (): void => {
    if (words.length > 0) commands.push({ line: startLine, words, unquoted, source: source.trim() });
    words = [];
    unquoted = [];
    source = '';
  };
  for (let n = 0; n < lines.length; n++) {
    const text = lines[n]!;
    const blockLine = block.line + 1 + n;
    let word: string | null = null;
    let wordQuoted = false;
    const endWord = (): void => {
      if (word !== null) {
        words.push(word);
        if (!wordQuoted) unquoted.push(word);
      }
      word = null;
      wordQuoted = false;
    };
    let continued = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (words.length === 0 && word === null && startLine === 0 && !/\s/.test(c)) startLine = blockLine;
      if (c === '\\' && i === text.length - 1) {
        continued = true;
        break;
      }
      if (/\s/.test(c)) {
        endWord();
        source += c;
        continue;
      }
      if (c === '#' && word === null) break;
      if (c === "'" || c === '"') {
        const close = text.indexOf(c, i + 1);
        if (close < 0) throw new Error(`${where(block, blockLine)}: unclosed ${c} quote`);
        word = (word ?? '') + text.slice(i + 1, close);
        wordQuoted = true;
        source += text.slice(i, close + 1);
        i = close;
        continue;
      }
      if (c === ';' || (c === '&' && text[i + 1] === '&')) {
        endWord();
        flush();
        startLine = 0;
        if (c === '&') i++;
        continue;
      }
      if ('|<>`$'.includes(c) || (c === '&' && text[i + 1] !== '&')) {
        throw new Error(`${where(block, blockLine)}: "${c}" (pipes, redirections, substitutions) is not run by the README test; show one command per line`);
      }
      word = (word ?? '') + c;
      source += c;
    }
    endWord();
    if (!continued) {
      flush();
      startLine = 0;
    }
  }
  flush();
  return commands;
}

/** `README.md:123 (block under "Set-up")`: how a failure names a block. */
export function where(block: DocBlock, line = block.line): string {
  return `${block.file}:${line} (${block.lang} block at line ${block.line}, under "${block.section}")`;
}
