// What the group coordinator is told of a request's connection, as Kafka
// gives it: the header's client id and the client's address.
import type { GroupRequestContext } from '@kstream/group-coordinator';
import type { ApiSpec } from '@kstream/protocol';
import type { RequestContext } from './handler.js';

/** The API version, clientId ('' when the header has none) and clientHost ("/" + the client's IP, Kafka's InetAddress.toString()). */
export function groupRequestContext(context: Pick<RequestContext<ApiSpec>, 'apiVersion' | 'clientId' | 'connectionId'>): GroupRequestContext {
  const { apiVersion, clientId, connectionId } = context;
  const portAt = connectionId.lastIndexOf(':');
  return { apiVersion, clientId: clientId ?? '', clientHost: `/${portAt < 0 ? connectionId : connectionId.slice(0, portAt)}` };
}
