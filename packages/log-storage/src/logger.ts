/**
 * Where the log reports what it did on its own: recovery truncations, deleted
 * segments, background flush failures. Same shape as @kstream/actor's Logger,
 * so the broker passes its logger straight through.
 */
export interface Logger {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};
