import type { Mailbox } from '@kstream/actor';
import type { ControllerChannelReplies, ControllerRequest, ControllerToBroker } from '@kstream/metadata';

/** The controller's side of a broker's channel: it handles ControllerRequests and tells ControllerToBroker messages. */
export type ControllerBrokerChannel = Mailbox<ControllerRequest, ControllerToBroker>;

/** The broker's side, as the controller's tests drive it: it handles ControllerToBroker and asks ControllerRequests. */
export type BrokerControllerChannel = Mailbox<ControllerToBroker, ControllerRequest, ControllerChannelReplies>;
