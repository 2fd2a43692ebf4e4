import { afterAll, beforeAll } from 'vitest';
import { HttpAccountBackend } from '../../src/accounts/http-backend.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/accounts/reference/server.ts';
import { ReferenceAccountStore } from '../../src/accounts/reference/store.ts';
import { describeAccountBackendConformance } from './conformance.ts';

const store = new ReferenceAccountStore();
describeAccountBackendConformance('in-memory reference store', () => ({
  backend: store,
  reset: () => store.reset(),
}));

let server: ReferenceServer;
let http: HttpAccountBackend;
beforeAll(async () => {
  server = await startReferenceServer({ token: 'conformance-token' });
  http = new HttpAccountBackend({ baseUrl: server.url, token: 'conformance-token' });
});
afterAll(() => server.close());
describeAccountBackendConformance('HTTP adapter against the reference server', () => ({
  backend: http,
  reset: () => server.reset(),
}));
