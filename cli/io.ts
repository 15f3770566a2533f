/** Where the CLI writes; injectable so tests run `run(argv)` in-process. */
export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** Whether stderr is an interactive terminal (progress bars). */
  readonly isTTY: boolean;
  /** Whether stdout may carry ANSI colour: a terminal without NO_COLOR, or FORCE_COLOR set. */
  readonly colour?: boolean;
}

export function supportsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

export function processIO(): CliIO {
  // `isTTY` is undefined, not false, when the stream is not a terminal (whatever the types say).
  const stderr: { isTTY?: boolean } = process.stderr;
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    isTTY: stderr.isTTY ?? false,
    colour: supportsColour(process.stdout),
  };
}
