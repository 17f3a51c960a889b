export { createFakeOpenAIServer, FAKE_REPLY, fakeEmbedding, type FakeBehavior, type FakeRequest } from "./fake-openai.ts";
export { startFakeProvider, type FakeProvider } from "./fake-provider.ts";
