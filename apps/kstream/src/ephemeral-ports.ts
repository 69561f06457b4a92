import { readFileSync } from 'node:fs';

/** The ports the OS hands out as clients' source ports. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
  /** Where the range was read, for messages. */
  readonly source: string;
}

const LINUX_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';

/** IANA's dynamic ports, the range macOS and Windows use. */
const IANA_RANGE: PortRange = { first: 49152, last: 65535, source: "IANA's dynamic ports" };

/**
 * The OS's ephemeral port range: Linux's ip_local_port_range, else IANA's
 * 49152–65535. A broker port inside it is at risk while the broker is down:
 * a client reconnecting to it can be given that very port as its own source
 * port, and the kernel then joins the connection to itself (a TCP
 * simultaneous-open self-connect) and the port stays held until the client
 * gives up on the connection.
 */
export function ephemeralPortRange(rangeFile = LINUX_RANGE_FILE): PortRange {
  let text: string;
  try {
    text = readFileSync(rangeFile, 'utf8');
  } catch {
    return IANA_RANGE;
  }
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!match) return IANA_RANGE;
  const first = Number(match[1]);
  const last = Number(match[2]);
  return first <= last ? { first, last, source: rangeFile } : IANA_RANGE;
}

/** The ports of `from`..`to` (inclusive) that lie in `range`. */
export function portsInRange(from: number, to: number, range: PortRange): number[] {
  const ports: number[] = [];
  for (let port = Math.max(from, range.first); port <= Math.min(to, range.last); port++) ports.push(port);
  return ports;
}
