import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { demoNotices, runSecretsOf } from '../../src/http/demo-mode.ts';

const SECRET = 'the-host-apps-identity-secret';
let made = 0;
const random = () => `random-${++made}`;

describe('runSecretsOf', () => {
  it('makes a demo, with secrets of its own, only when the operator set no identity secret', () => {
    expect(runSecretsOf(loadConfig({}), random)).toEqual({
      identitySecret: expect.stringMatching(/^random-/),
      demoSignIn: true,
      escalationsToken: expect.stringMatching(/^random-/),
      escalationsTokenMade: true,
    });
    expect(runSecretsOf(loadConfig({ CHAT_IDENTITY_SECRET: SECRET }), random)).toEqual({
      identitySecret: SECRET,
      demoSignIn: false,
      escalationsToken: undefined,
      escalationsTokenMade: false,
    });
  });

  it('follows DEMO_SIGN_IN when it is set, and keeps a configured escalations token', () => {
    const demo = runSecretsOf(
      loadConfig({
        CHAT_IDENTITY_SECRET: SECRET,
        DEMO_SIGN_IN: 'true',
        ESCALATIONS_TOKEN: 'agents-own-token-123',
      }),
      random,
    );
    expect(demo).toMatchObject({ identitySecret: SECRET, demoSignIn: true, escalationsTokenMade: false });
    expect(demo.escalationsToken).toBe('agents-own-token-123');
    // Off on request even without a secret: nobody can sign in then, and nothing is listed.
    expect(runSecretsOf(loadConfig({ DEMO_SIGN_IN: 'false' }), random)).toMatchObject({
      demoSignIn: false,
      escalationsToken: undefined,
    });
  });

  it('prints only a token made for the run, and only where the list is served', () => {
    const secrets = runSecretsOf(loadConfig({}), random);
    const listed = demoNotices('http://127.0.0.1:3000', secrets, {
      escalationsListed: true,
      identitySecretSet: false,
    });
    expect(listed).toHaveLength(2);
    expect(listed[1]).toContain(`Bearer ${secrets.escalationsToken}`);
    expect(
      demoNotices('http://x', secrets, { escalationsListed: false, identitySecretSet: false }),
    ).toHaveLength(1);
  });
});
