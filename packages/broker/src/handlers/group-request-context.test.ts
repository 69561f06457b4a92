import { describe, expect, it } from 'vitest';
import { groupRequestContext } from './group-request-context.js';

describe('groupRequestContext', () => {
  it('clientHostIsSlashAndTheIp: the port is dropped, IPv6 keeps its colons; a null client id is empty', () => {
    expect(groupRequestContext({ apiVersion: 5, clientId: 'rdkafka', connectionId: '127.0.0.1:50312' })).toEqual({
      apiVersion: 5,
      clientId: 'rdkafka',
      clientHost: '/127.0.0.1',
    });
    expect(groupRequestContext({ apiVersion: 0, clientId: null, connectionId: '::1:6000' })).toEqual({ apiVersion: 0, clientId: '', clientHost: '/::1' });
  });
});
