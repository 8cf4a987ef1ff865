// How a container's stdio was asked for at create (`-i`, `-t`, `-a`), as Docker's Config keeps it:
// whether it has a terminal, whether stdin stays open and whether the first client's end of
// input closes it (StdinOnce, what `docker run -i` sets). Plain data.

export interface StdioConfig {
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  /** [height, width] of the client's terminal at create (HostConfig.ConsoleSize), if sent. */
  consoleSize?: [number, number];
}

/** A container created before berth had stdio options, or without any. */
export const NO_STDIO: StdioConfig = { tty: false, openStdin: false, stdinOnce: false, attachStdin: false, attachStdout: false, attachStderr: false };
