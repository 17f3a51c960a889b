export { createFakeOpenAIServer, FAKE_REPLY, type FakeBehavior } from "./fake-openai.ts";
export { startFakeProvider, type FakeProvider } from "./fake-provider.ts";
