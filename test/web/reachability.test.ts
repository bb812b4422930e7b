import { describe, expect, it } from 'vitest';
import { isLoopbackHost, joinReach } from '../../src/web/reachability.js';

describe('joinReach: can phones open the join link?', () => {
  it('says a loopback link is for this computer only, how to fix it, and the LAN address to expect', () => {
    const reach = joinReach('http://127.0.0.1:3000', '192.168.1.20');
    expect(reach.loopback).toBe(true);
    expect(reach.advice).toContain('npm start -- --host 0.0.0.0 --port 3000');
    expect(reach.advice).toContain('PUBLIC_URL');
    expect(reach.advice).toContain('http://192.168.1.20:3000');
  });

  it('asks for a network first when the machine has no LAN address', () => {
    expect(joinReach('http://localhost:8080', null).advice).toContain('no network address');
  });

  it('has nothing to say about a LAN or public address', () => {
    expect(joinReach('http://192.168.1.20:3000', '192.168.1.20').advice).toBeNull();
    expect(joinReach('https://quiz.example.org', null).advice).toBeNull();
  });

  it('knows the loopback spellings', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1'])
      expect(isLoopbackHost(host)).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});
