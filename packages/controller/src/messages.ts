// The controller actor's messages: what a broker asks it over the broker's
// controller channel. Names follow Kafka's KRaft RPCs.

/** A broker starting (or restarting) joins the cluster with its listener. */
export interface BrokerRegistrationRequest {
  readonly type: 'BrokerRegistration';
  readonly brokerId: number;
  readonly host: string;
  readonly port: number;
}

export interface BrokerRegistrationReply {
  /** Identifies this incarnation of the broker; heartbeats carry it. */
  readonly brokerEpoch: number;
  readonly clusterId: string;
}

/** A registered broker says it is still alive. */
export interface BrokerHeartbeatRequest {
  readonly type: 'BrokerHeartbeat';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface BrokerHeartbeatReply {
  /** The controller considers this incarnation dead: register again. */
  readonly isFenced: boolean;
}

export type ControllerRequest = BrokerRegistrationRequest | BrokerHeartbeatRequest;

export interface ControllerReplies {
  BrokerRegistration: BrokerRegistrationReply;
  BrokerHeartbeat: BrokerHeartbeatReply;
}
