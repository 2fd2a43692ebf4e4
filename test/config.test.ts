import { describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR, loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 3000,
      LOG_LEVEL: 'info',
      INTENTS_DIR: DEFAULT_INTENTS_DIR,
    });
  });

  it('parses set values and treats empty ones as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      CLASSIFIER_THRESHOLD: '0.45',
      LOG_LEVEL: '',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      CLASSIFIER_THRESHOLD: 0.45,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    });
  });

  it('names every bad variable, the value it got, and how to fix it', () => {
    const error = configError({ PORT: 'eighty', LOG_LEVEL: 'loud', CLASSIFIER_THRESHOLD: '2' });
    expect(error.code).toBe('config_invalid');
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(
      /PORT: must be a whole number \(got "eighty"\)\. Set PORT to a free TCP port/,
    );
    expect(error.message).toMatch(/LOG_LEVEL: .*\(got "loud"\)\. Set LOG_LEVEL to one of/);
    expect(error.message).toMatch(/CLASSIFIER_THRESHOLD: must be a number from 0 to 1 \(got "2"\)/);
  });

  it('rejects a port out of range', () => {
    expect(configError({ PORT: '70000' }).message).toMatch(/PORT: .*65535/);
  });
});
