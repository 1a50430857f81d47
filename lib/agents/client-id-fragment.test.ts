import { describe, expect, it } from 'vitest';
import { clientIdFragment } from './client-id-fragment';

describe('clientIdFragment', () => {
  it('keeps the end of a generated client id, enough to tell two alike names apart', () => {
    expect(clientIdFragment('agent_Xk3f9QmZ0aB1cD2eF3gH4i')).toBe('id …F3gH4i');
    expect(clientIdFragment('agent_Xk3f9QmZ0aB1cD2eF3gH4j')).not.toBe(clientIdFragment('agent_Xk3f9QmZ0aB1cD2eF3gH4i'));
  });
  it('shows a short id whole', () => {
    expect(clientIdFragment('cli-1')).toBe('id cli-1');
  });
  it('shows the host of a metadata document URL', () => {
    expect(clientIdFragment('https://app.example.com/oauth/client-metadata.json')).toBe('app.example.com');
  });
});
