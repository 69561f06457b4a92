// A small actor for the package's tests, written the way every actor is: its
// messages are a discriminated union and its handler one exhaustive switch.

import { replyWithTransfer, unknownMessage } from './index.js';

export type EchoMessage =
  | { readonly type: 'Echo'; readonly value: unknown }
  | { readonly type: 'Fail'; readonly reason: string }
  | { readonly type: 'Delay'; readonly ms: number; readonly value: unknown }
  | { readonly type: 'Hang' }
  | { readonly type: 'Note'; readonly text: string }
  | { readonly type: 'Notes' }
  | { readonly type: 'Fill'; readonly size: number; readonly byte: number }
  | { readonly type: 'Sum'; readonly bytes: Uint8Array };

export interface EchoReplies {
  Echo: unknown;
  Fail: never;
  Delay: unknown;
  Hang: never;
  Note: undefined;
  Notes: string[];
  Fill: Buffer;
  Sum: number;
}

export function echoActor(): (msg: EchoMessage) => unknown {
  const notes: string[] = [];
  return (msg) => {
    switch (msg.type) {
      case 'Echo':
        return msg.value;
      case 'Fail':
        throw new Error(msg.reason);
      case 'Delay':
        return new Promise((resolve) => setTimeout(() => resolve(msg.value), msg.ms));
      case 'Hang':
        return new Promise(() => {});
      case 'Note':
        notes.push(msg.text);
        return undefined;
      case 'Notes':
        return [...notes];
      case 'Fill': {
        const bytes = Buffer.alloc(msg.size, msg.byte);
        return replyWithTransfer(bytes, [bytes.buffer as ArrayBuffer]);
      }
      case 'Sum':
        return msg.bytes.reduce((sum, b) => sum + b, 0);
      default:
        return unknownMessage(msg);
    }
  };
}
