import { buildCli } from '../../src/cli/main.js';

/** The CLI as a test drives it: what it printed on each stream during the last run, and its exit code. */
export interface CapturedCli {
  run: (args: string[]) => Promise<number>;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI writing into strings instead of the process's streams; each run starts a new program with empty output. */
export function capturedCli(): CapturedCli {
  let stdout = '';
  let stderr = '';
  const output = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  return {
    run: (args) => {
      stdout = '';
      stderr = '';
      // A fresh program per run: commander keeps parsed option values on the program.
      return buildCli(output).run(args);
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}
